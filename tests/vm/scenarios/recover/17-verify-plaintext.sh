# A plaintext file lying in the lower directory (written while unmounted):
# failure with a move-it-in fix.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
echo 'tax return, in clear' >"$H/.Private/notes.txt"
chown "$U:$U" "$H/.Private/notes.txt"
verify_expect lower-plaintext fail 1
