/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Forced into helpers/mount/mount-mtab.c for fuzz-mtab: /etc/mtab in a scratch directory. */
extern char fuzz_mtab[512], fuzz_mtab_lock[512], fuzz_mtab_tmp[512];
#define MTAB fuzz_mtab
#define MTAB_LOCK fuzz_mtab_lock
#define MTAB_TMP fuzz_mtab_tmp
