# Issue 10, finding 7: a user's own ~/.ecryptfs/wrapped-passphrase sets the
# Argon2id cost of their login, inside the login daemon's PAM child. A cost
# within the library's ceiling (RAM / 2) but above a login's budget
# (kdf_max_mib, default min(512 MiB, RAM / 4)) is refused before the
# derivation: the child never grows, the user is told how to fix it, syslog
# names the file, the cost and the limit, and the login itself goes on.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
user=$(make_user)
pw=pw-$user
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
wp=$home/.ecryptfs/wrapped-passphrase
W=$ECT_VM_WORK

# A syslog to read what the module logged (the guest runs none).
pam_start_syslog "$W/syslog"

# Three eighths of the RAM, in whole MiB: the library alone would run it.
mem_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
m_kib=$((mem_kib * 3 / 8 / 1024 * 1024))
log "guest RAM $((mem_kib / 1024)) MiB; file asks for $((m_kib / 1024)) MiB"
hex=$(printf '%08x' "$m_kib")
printf "\\x${hex:0:2}\\x${hex:2:2}\\x${hex:4:2}\\x${hex:6:2}" |
	as_user "$user" dd of="$wp" bs=1 seek=7 conv=notrunc status=none
[ "$(od -An -tu4 --endian=big -j7 -N4 "$wp" | tr -d ' ')" = "$m_kib" ] || fail "header not edited"

start=$SECONDS
out=$(printf '%s\n%s\n' "$pw" "$pw" | setsid -w "$PAM_SESSION" -D -r login "$user" auth acct open close) ||
	fail "the login failed as a whole: $out"
printf '%s\n' "$out"
log "login took $((SECONDS - start)) s"
assert_match 'more memory or time than a login may spend' "$out" "message to the user"
assert_match 'ecryptfs-rewrap-passphrase --kdf-target-ms' "$out" "the fix, told to the user"
rss=$(printf '%s\n' "$out" | sed -n 's/.*children \([0-9]*\) KiB.*/\1/p')
[ -n "$rss" ] || fail "no maxrss line"
log "largest child: $((rss / 1024)) MiB"
[ "$rss" -lt $((128 * 1024)) ] || fail "a child grew to $((rss / 1024)) MiB: the cost was computed"
pam_is_mounted "$home/Private" && fail "mounted"
pam_user_keys "$user" | grep -x 0 >/dev/null || fail "keys added: $(pam_user_keys "$user")"

sleep 0.5
cat "$W/syslog" 2>/dev/null | grep pam_ecryptfs || true
line=$(grep "pam_ecryptfs.*$wp refused" "$W/syslog") || fail "no syslog line naming $wp"
assert_match "cost $((m_kib / 1024)) MiB t=2 lanes=1 " "$line" "the file's cost in syslog"
assert_match 'limit kdf_max_mib=[0-9]+ kdf_max_t=16' "$line" "the limit in syslog"
log "over-budget file refused before the derivation, with a message, a syslog line and the fix"
