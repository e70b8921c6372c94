/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared inside the verify module (verify*.c); never installed. */
#ifndef ECT_VERIFY_INTERNAL_H
#define ECT_VERIFY_INTERNAL_H

#include "ect-internal.h"

#include <limits.h>

/* State of one user's check run. */
struct ect_vrun {
	const struct ect_verify_target *t;
	const struct ect_verify_opts *o;
	struct ect_report *r;
	char dot[PATH_MAX];   /* HOME/.ecryptfs */
	char lower[PATH_MAX]; /* HOME/.Private */
	char mnt[PATH_MAX];   /* Private.mnt, or HOME/Private */
	char sigs[2][ECT_SIG_HEX_SIZE + 1];
	int nsig;	      /* valid signatures read from Private.sig */
	int lower_ok;	      /* the lower directory exists and can be walked */
};

/* snprintf for fix commands and paths; truncation is acceptable there. */
void ect__fmt(char *out, size_t size, const char *fmt, ...) ECT_PRINTF(3, 4);
/* Sample lower files: headers, signatures, plaintext, name encryption. */
int ect__verify_lower(struct ect_vrun *v);

#endif /* ECT_VERIFY_INTERNAL_H */
