#!/bin/sh
# The regression suite (run.sh) through ecryptfs-fuse on the host in
# `make check`: the POSIX cases by default (ECT_REGRESS_CASES='name ...'
# for others, `all` for every case), on a private tmpfs as the lower
# directory, with encrypted names, keys in a throwaway session keyring.
# Known failures (rg_known in cases.sh) pass as TODO, as in the VM.
# Skips (77) when not root (run.sh mounts), without /dev/fuse,
# fusermount3 or keyctl, or where the host refuses the FUSE mount.
set -eu
# prog, tool, skip, fail, the skips, a throwaway session keyring
. "$(dirname "$0")/../unit/fuse-host.inc"
here=$(cd "$(dirname "$0")" && pwd)
rgtool=${top_builddir:-.}/tests/regress/regress-tool
[ "$(id -u)" = 0 ] || skip "not root (run.sh mounts)"
[ -x "$rgtool" ] || skip "tests/regress/regress-tool is not built"
command -v bash >/dev/null 2>&1 || skip "no bash (run.sh)"

work=$(mktemp -d "${TMPDIR:-/tmp}/regress-fuse-host.XXXXXX")
cleanup() {
	umount -l "$work/lower" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work" # owners: another uid reaches the lower directories
mkdir -p "$work/lower" "$work/bin"
mount -t tmpfs -o size=256m,mode=0755 regress-fuse "$work/lower" || skip "cannot mount a tmpfs"

# run.sh takes its key from ecryptfs-add-passphrase on PATH: the built
# tool. Its --fnek needs eCryptfs in the kernel, which this host need not
# have: the FNEK is a second key, passed with --options instead.
abs_tool=$(cd "$(dirname "$tool")" && pwd)/$(basename "$tool")
printf '#!/bin/sh\n[ "$1" = --fnek ] && shift\nexec %s add-passphrase "$@"\n' "$abs_tool" \
	>"$work/bin/ecryptfs-add-passphrase"
chmod 755 "$work/bin/ecryptfs-add-passphrase"
fuse_host_keys "regress suite passphrase" "regress fuse host fnek $work"

cases=${ECT_REGRESS_CASES:-rename-over unlink-open unlink-open-fstat o-append o-trunc owners name-max}
[ "$cases" = all ] && cases=
abs_prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
abs_rgtool=$(cd "$(dirname "$rgtool")" && pwd)/$(basename "$rgtool")
PATH=$work/bin:$PATH RG_FUSE=$abs_prog RG_TOOL=$abs_rgtool \
	bash "$here/run.sh" --target fuse --options "ecryptfs_fnek_sig=$fnek" \
	${cases:+--cases "$cases"} --seconds "${ECT_REGRESS_SECONDS:-3}" "$work/lower" ||
	fail "run.sh --target fuse failed (above)"
