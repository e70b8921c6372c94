# ecryptfs-setup-swap acts on the swap area it examined, never on what its
# path names by the time a program runs (review finding F7). A swap file is
# examined, turned off and written into crypttab; strace then holds the
# execve of cryptsetup while the file is renamed away and another file (the
# victim, not swap) takes its name. A run that hands cryptsetup the path
# maps the victim and mkswap overwrites it; one that hands it the examined
# file's fd (/proc/PID/fd/N) maps the swap file and leaves the victim alone,
# and says that crypttab, which names the path, must be corrected.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/swap/swap.inc"
need_tool strace
trap swap_cleanup EXIT
W=$ECT_VM_WORK
swapoff -a 2>/dev/null || true
touch /etc/fstab
cp -p /etc/fstab fstab.orig
rm -f /etc/crypttab
SWAPFILE=$W/swapfile
dd if=/dev/zero of="$SWAPFILE" bs=1M count=16 2>/dev/null
chmod 600 "$SWAPFILE"
mkswap "$SWAPFILE" >/dev/null
printf '%s none swap sw 0 0\n' "$SWAPFILE" >>/etc/fstab
swapon "$SWAPFILE" || skip "swapon of a file is not possible here"
random_file "$W/victim" $((16 * 1024 * 1024))
chmod 600 "$W/victim"
sha256sum "$W/victim" | awk '{print $1}' >victim.sum

delay_s=90
strace -f -qq -o "$W/s.strace" -P /usr/sbin/cryptsetup -P /sbin/cryptsetup -e trace=execve \
	-e "inject=execve:delay_enter=${delay_s}000000" \
	ecryptfs-setup-swap -f "$SWAPFILE" </dev/null >"$W/s.out" 2>&1 &
s_pid=$!
# held: a process of the run stopped at the entry of execve (x86_64 syscall 59)
held() { held_at_syscall 59 $(pgrep -f 'ecryptfs-setup-swap -f'); }
wait_held "$s_pid" held || { cat "$W/s.out"; fail "setup-swap never reached cryptsetup's execve"; }
mv "$SWAPFILE" "$W/swapfile.checked"
mv "$W/victim" "$SWAPFILE"
held_at_syscall 59 "$HELD_PID" || fail "cryptsetup's execve was not held through the swap: raise delay_s ($delay_s s)"
log "the swap file's name now holds the victim while cryptsetup is held"
rc=0
wait "$s_pid" || rc=$?
cat "$W/s.out"
assert_eq "$(cat victim.sum)" "$(sha256sum "$SWAPFILE" | awk '{print $1}')" \
	"the victim now under the swap file's name is untouched"
# crypttab names the path, which now holds the victim: said, with status 1
[ "$rc" = 1 ] || fail "setup-swap ended with $rc, not 1, after the name changed under it"
grep -q "names it by a path that now leads elsewhere: correct /etc/crypttab" "$W/s.out" ||
	fail "no clear error that crypttab now names another file"
[ -n "$(losetup -j "$W/swapfile.checked")" ] || fail "the examined swap file is not what cryptsetup mapped"
grep -q '^/dev/' /proc/swaps || fail "no encrypted swap on"
log "cryptsetup mapped the examined file, not the name's new target"
