#!/bin/bash
# The library's crypto next to named peers, in one run on one machine:
# - AES-CBC extent encryption and decryption through the codec (4 KiB
#   extents, per-extent IVs: bench/bench-codec) for AES-128 and AES-256,
#   beside `openssl speed -evp aes-128-cbc` / `aes-256-cbc` (4096-byte
#   blocks) run by bench-codec in the same invocation;
# - the KDFs (bench/bench-kdf): the eCryptfs SHA-512 chain beside what
#   `openssl speed -evp sha512` at 64-byte blocks predicts for the same
#   65536 hashes, and Argon2id beside the reference implementation's CLI
#   (Debian package argon2) at the same t, m and lanes.
# Run after `make` (or `make bench-crypto`):
#   bench/crypto.sh [SECONDS]   (per cipher measurement, default 2)
# bench/crypto.md has the results. Benchmark peers only (openssl, argon2):
# not build or test dependencies; a missing one is said, not dropped.
set -euo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$PWD}
seconds=${1:-2}
die() { echo "bench-crypto: $*" >&2; exit 2; }
case $seconds in '' | *[!0-9]* | 0) die "usage: crypto.sh [SECONDS] (a whole number of seconds, at least 1)" ;; esac
codec=$top_builddir/bench/bench-codec kdf=$top_builddir/bench/bench-kdf
[ -x "$codec" ] && [ -x "$kdf" ] || die "no $codec or $kdf: build first (make)"
command -v openssl >/dev/null || echo "bench-crypto: openssl is not installed: no openssl columns" >&2

read -r load1 load5 _ </proc/loadavg
commit=$(git -C "$top_srcdir" describe --always --dirty 2>/dev/null || echo unknown)
printf 'ecryptfs-tools crypto and peers, %s, commit %s, %s, %s CPUs (%s), load %s %s\n' \
	"$(date -u +%Y-%m-%dT%H:%MZ)" "$commit" "$(uname -r)" "$(nproc)" \
	"$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" "$load1" "$load5"
printf 'openssl: %s; libgcrypt: %s; AES-NI: %s\n' \
	"$(openssl version 2>/dev/null || echo 'not installed')" \
	"$(dpkg-query -W -f '${Version}' libgcrypt20 2>/dev/null || echo unknown)" \
	"$(grep -m1 -ow aes /proc/cpuinfo >/dev/null && echo yes || echo no)"
echo
for kb in 16 32; do
	"$codec" "$seconds" "$kb"
	echo
done

# ---- KDFs
kdf_out=$("$kdf")
printf '%s\n' "$kdf_out"
echo
# CPU time throughout (the process's, all threads): on a loaded, shared
# machine wall time measures the neighbours. The chain: 1 hash of
# salt+passphrase, then 65535 of a 64-byte digest.
if command -v openssl >/dev/null; then
	bps=$(openssl speed -evp sha512 -bytes 64 -seconds "$seconds" -mr 2>/dev/null | awk -F: '/^\+F:/ { print $NF }')
	chain=$(printf '%s\n' "$kdf_out" | sed -n 's/^ecryptfs chain.* cpu *\([0-9.]*\) ms .*/\1/p')
	awk -v bps="$bps" -v ours="$chain" 'BEGIN {
		ref = 65536 / (bps / 64) * 1000;
		printf "%-34s cpu %9.1f ms  (65536 x SHA-512 of 64 bytes at openssl speed'"'"'s %.0f hashes/s)\n",
			"openssl sha512, same chain", ref, bps / 64;
		printf "%-34s %9.2f  (cpu)\n", "chain: ours / openssl", ours / ref }'
else
	echo "openssl not installed: no reference for the chain"
fi
# Argon2id at each parameter set bench-kdf measured, through argon2(1): the
# CPU time (user + system) bash's `time` reports for the process.
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
argon2_cpu_ms() { # T M LANES
	local TIMEFORMAT='%3U %3S' tm
	tm=$({ time printf 'password' | argon2 'bench-kdf salt, thirty-two bytes' -id -t "$1" -k "$2" -p "$3" -l 32 -r >/dev/null; } 2>&1)
	awk -v u="${tm% *}" -v s="${tm#* }" 'BEGIN { print (u + s) * 1000 }'
}
if command -v argon2 >/dev/null; then
	printf '%s\n' "$kdf_out" | sed -n 's/^argon2id.* cpu *\([0-9.]*\) ms  (median of \([0-9]*\); t=\([0-9]*\) m=\([0-9]*\) KiB lanes=\([0-9]*\)).*/\1 \2 \3 \4 \5/p' |
		while read -r ours n t m lanes; do
			ref=$(for ((i = 0; i < n; i++)); do argon2_cpu_ms "$t" "$m" "$lanes"; done | median)
			awk -v ours="$ours" -v ref="$ref" -v t="$t" -v m="$m" -v l="$lanes" -v n="$n" 'BEGIN {
				printf "argon2(1) t=%s m=%s KiB lanes=%-3s cpu %9.1f ms  (median of %d; ours %.1f ms, ours/argon2 %.2f)\n",
					t, m, l, ref, n, ours, ours / ref }'
		done
	echo "argon2(1): Debian's $(dpkg-query -W -f '${Package} ${Version}' argon2 2>/dev/null || echo argon2), the reference implementation"
else
	echo "argon2 is not installed (apt-get install argon2): no reference for Argon2id"
fi
echo "AES rows: MB/s of CPU time, one thread (pool and file-read-pool rows: wall clock); KDF comparisons: CPU time of the process, all threads"
