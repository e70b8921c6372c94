#!/bin/bash
# Runs one scenario inside the guest (started by guest-main.sh in a fresh
# session keyring, under a time limit): links the user keyring like a login
# session, loads lib.sh, traces every command with a timestamp to fd 9 and
# sources the scenario under `set -eu -o pipefail`. Reaching the end of the
# scenario writes the completion marker the runner requires for a PASS.
keyctl link @u @s >/dev/null || exit 1
BASH_XTRACEFD=9
PS4='+ ${EPOCHREALTIME} '
set -eu -o pipefail
# shellcheck source=lib.sh
. "$ECT_SRCDIR/tests/vm/lib.sh"
# Run again after it rebooted the guest: its users were in the old /etc.
if [ -f "$ECT_VM_RESULT_DIR/phase" ]; then
	vm_restore_users
fi
set -x
# shellcheck disable=SC1090
. "$ECT_VM_SCRIPT"
set +x
echo completed >"$ECT_VM_RESULT_DIR/completed"
