# shellcheck shell=bash
# nested.sh - an integration test's boot of the nested test host (sourced after lib.sh and
# tests/guest/initramfs.sh):
#
#   nested_host_test CPIO SECONDS LOG
#       boot the nested test host with CPIO (nested_host_run) for at most SECONDS, its console
#       in LOG, and wait for its end; fail when its init was not reached, skip when it has no
#       /dev/kvm. The test's end stops it, whatever ends the test.
nested_host_test() {
	local run
	nested_host_run "$1" "$2" >"$3" 2>&1 &
	run=$!
	# (the job is a subshell running timeout, which passes the signal on to QEMU)
	at_exit "pkill -P $run 2>/dev/null; kill $run 2>/dev/null"
	wait $run || true
	grep -q 'BASALT-HOST: init reached' "$3" ||
		fail "the nested test host did not reach its init: $(tail -n 20 "$3")"
	grep -q 'BASALT-HOST: /dev/kvm present' "$3" ||
		skip "the nested test host has no /dev/kvm (QEMU offers no SVM?)"
}
