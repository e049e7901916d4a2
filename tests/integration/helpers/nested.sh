# shellcheck shell=bash
# nested.sh - an integration test's boot of the nested test host (sourced after lib.sh and
# tests/guest/initramfs.sh):
#
#   nested_host_test CPIO SECONDS LOG
#       boot the nested test host with CPIO (nested_host_run) for at most SECONDS, its console
#       in LOG, and wait for its end; fail when its init was not reached, skip when it has no
#       /dev/kvm. The test's end stops it, whatever ends the test.
#
# A nested test host that does not finish (its kernel, on QEMU's emulator, has been seen to
# report its CPUs stuck, a soft lockup, and a guest to stall there) is shown in the test's log,
# with the first soft lockup's stack, and booted once more. Only once: the checks apply to the
# second boot in full, and a host that finished is never booted again, whatever its guests did.
_nested_host_boot() {
	local run
	nested_host_run "$1" "$2" >"$3" 2>&1 &
	run=$!
	# (the job is a subshell running timeout, which passes the signal on to QEMU)
	at_exit "pkill -P $run 2>/dev/null; kill $run 2>/dev/null"
	wait $run || true
}

nested_host_test() {
	_nested_host_boot "$@"
	if ! grep -q 'BASALT-HOST: done' "$3"; then
		echo "the nested test host did not finish; its console:"
		tr -d '\r' <"$3" | grep -E 'BASALT-' | head -n 40
		# the first soft lockup's report, with the stack of the task that held the CPU
		tr -d '\r' <"$3" | sed -n '/soft lockup/,/<\/TASK>/p' | head -n 60
		echo "booting it once more"
		_nested_host_boot "$@"
	fi
	grep -q 'BASALT-HOST: init reached' "$3" ||
		fail "the nested test host did not reach its init: $(tail -n 20 "$3")"
	grep -q 'BASALT-HOST: /dev/kvm present' "$3" ||
		skip "the nested test host has no /dev/kvm (QEMU offers no SVM?)"
}
