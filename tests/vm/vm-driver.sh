#!/bin/sh
# Automake test driver for the VM suite (VM_LOG_DRIVER in vm.am). Runs the
# suite once and records every scenario as its own result in the .trs file,
# so test-suite.log and "make check" count scenarios, not boots.
# Protocol: automake manual, "Custom Test Drivers".
test_name= log_file= trs_file= color=no expect_failure=no
while [ $# -gt 0 ]; do
	case $1 in
	--test-name) test_name=$2; shift ;;
	--log-file) log_file=$2; shift ;;
	--trs-file) trs_file=$2; shift ;;
	--color-tests) color=$2; shift ;;
	--expect-failure) expect_failure=$2; shift ;;
	--enable-hard-errors) shift ;;
	--collect-skipped-logs) shift ;;
	--) shift; break ;;
	*) echo "vm-driver.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$log_file" ] && [ -n "$trs_file" ] || { echo "vm-driver.sh: missing --log-file/--trs-file" >&2; exit 2; }

if [ "$color" = yes ]; then
	esc=$(printf '\033')
	red="${esc}[0;31m" grn="${esc}[0;32m" blu="${esc}[1;34m" std="${esc}[m"
else
	red= grn= blu= std=
fi

"$@" >"$log_file" 2>&1
rc=$?

: >"$trs_file"
n=0 bad=0
# Each "PASS|FAIL|SKIP: id (time)" line of run.sh is one result.
while IFS= read -r line; do
	# Only result lines ("RES: area/NN-name (1.234 s)..."), not the
	# failure details that may quote a scenario's own "FAIL: ..." output.
	printf '%s\n' "$line" | grep -E '^(PASS|FAIL|SKIP): [^ /]+/[0-9][0-9]-[^ ]+ \([0-9]+\.[0-9]+ s\)' >/dev/null || continue
	res=${line%%:*}
	rest=${line#*: }
	n=$((n + 1))
	[ "$res" = FAIL ] && bad=1
	echo ":test-result: $res" >>"$trs_file"
	case $res in PASS) c=$grn ;; SKIP) c=$blu ;; *) c=$red ;; esac
	echo "${c}${res}${std}: $test_name $rest"
done <"$log_file"

if [ $n -eq 0 ]; then
	# Nothing ran: the test bed itself is unavailable (77) or broken.
	if [ $rc -eq 77 ]; then res=SKIP c=$blu; else res=ERROR c=$red; bad=1; fi
	echo ":test-result: $res" >>"$trs_file"
	echo "${c}${res}${std}: $test_name"
elif [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ $bad -eq 0 ]; then
	echo ":test-result: ERROR" >>"$trs_file"
	echo "${red}ERROR${std}: $test_name (exit status $rc)"
	bad=1
fi
tail -n 1 "$log_file"
if [ $bad -eq 1 ]; then global=FAIL; else global=PASS; fi
echo ":global-test-result: $global" >>"$trs_file"
echo ":recheck: $([ $bad -eq 1 ] && echo yes || echo no)" >>"$trs_file"
echo ":copy-in-global-log: $([ $bad -eq 1 ] && echo yes || echo no)" >>"$trs_file"
exit 0
