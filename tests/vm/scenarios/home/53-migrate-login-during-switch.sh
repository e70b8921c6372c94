# A user who logs in between ecryptfs-migrate-home's last check and the
# exchange of the two homes finds the plain one and may write to it after it
# was verified. The command checks again right after the exchange and, when
# the user is there, exchanges back: exit 1, one line, the plain home in
# place; a rerun once they have gone finishes the migration. The login is
# played by a loginctl (bind-mounted in a mount namespace of its own) that
# lists a session for the user as soon as the home is the encrypted one.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/migrate.inc"
pam_need_module
pam_need_helpers
need_tool ecryptfs-migrate-home unshare
mig_small_user
echo "plain words of $user" >"$home/notes.txt"
chown "$user:" "$home/notes.txt"
before=$(cd "$home" && find . -printf '%p %y %m %U %s\n' | LC_ALL=C sort)

cat >"$W/fake-loginctl" <<EOS
#!/bin/sh
[ -L "$home/.ecryptfs" ] && echo "c77 $uid $user seat0 tty7"
exit 0
EOS
chmod 755 "$W/fake-loginctl"

rc=0
mig_with_loginctl "$W/fake-loginctl" env ECRYPTFS_TOOLS_KDF_FLOOR=1 ecryptfs-migrate-home \
	-u "$user" --password-file "$W/pw" </dev/null >"$W/out" 2>"$W/err" || rc=$?
cat "$W/err"
assert_eq 1 "$rc" "exit status when the user logged in during the switch"
grep -q "logged in during the switch (logind session c77): switched back, $home is the plain home again" \
	"$W/err" || fail "no clear error for a login during the switch"
[ ! -e "$home/.ecryptfs" ] || fail "the home is not the plain one after the switch back"
assert_eq "$before" "$(cd "$home" && find . -printf '%p %y %m %U %s\n' | LC_ALL=C sort)" \
	"the plain home after the switch back"

# the user has gone: a rerun finishes
ECRYPTFS_TOOLS_KDF_FLOOR=1 ecryptfs-migrate-home -u "$user" --password-file "$W/pw" \
	</dev/null >"$W/out" 2>"$W/err" || { cat "$W/err"; fail "the rerun failed"; }
[ -L "$home/.ecryptfs" ] && [ -L "$home/.Private" ] || fail "the rerun did not encrypt the home"
log "a login during the switch: switched back, exit 1; the rerun finishes"
