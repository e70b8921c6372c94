// SPDX-License-Identifier: GPL-2.0-or-later
/* ecryptfs commands: the verify family (see cli.h). */
#include "cli.h"

const struct ect_cmd ect_cmds_verify[] = {
	{ 0 },
};
