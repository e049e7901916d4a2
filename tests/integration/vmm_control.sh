#!/bin/bash
# vmm_control.sh - the VMM's life as a manager sees it, on this host's /dev/kvm with the
# freestanding test guests: the control socket (info with vCPU and device counters, pause,
# resume, stop: Ctrl-Alt-Del first, then by force), the console on a pty, a guest reboot that
# ends the VMM or restarts the guest (--reboot restart), and a confined VMM (unprivileged user,
# seccomp allow-list) that still runs every device, restarts a rebooting guest, leaves no
# socket behind and dies with its privileged parent.
. "$(dirname "$0")/lib.sh"

use_kvm

GUESTS=$BASALT_BUILD/tests/guest
SOCK=$TEST_TMP/control.sock

# ctl COMMAND: one command on the control socket, its one-line JSON answer on stdout
ctl() {
	python3 - "$SOCK" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
print(s.makefile().readline().strip())
PY
}

# wait_for FILE PATTERN: until FILE holds a line matching PATTERN (the test's timeout bounds it)
wait_for() {
	until grep -qE -- "$2" "$1" 2>/dev/null; do sleep 0.05; done
}

json() {
	python3 -c "import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))" "$1" "$2"
}

"$BASALT" vmm run --boot direct --kernel "$GUESTS/idle.elf" --memory 16 --cpus 2 \
	--control "$SOCK" </dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
vmm=$!
at_exit "kill $vmm 2>/dev/null"
wait_for "$TEST_TMP/out" 'idle guest up'
until [ -S "$SOCK" ]; do sleep 0.05; done

info=$(ctl info)
[ "$(json "$info" 'd["state"]')" = running ] || fail "info: $info"
[ "$(json "$info" 'len(d["cpus"])')" = 2 ] || fail "info: $info"
[ "$(json "$info" 'd["cpus"][0]["io_exits"] > 0')" = True ] || fail "no I/O exits counted: $info"
[ "$(json "$info" 'd["devices"][0]["type"]')" = rng ] || fail "info: $info"

[ "$(ctl pause)" = '{"ok":true}' ] || fail "pause refused"
[ "$(json "$(ctl info)" 'd["state"]')" = paused ] || fail "not paused"
before=$(json "$(ctl info)" 'd["cpus"][0]["exits"]')
sleep 0.2
after=$(json "$(ctl info)" 'd["cpus"][0]["exits"]')
[ "$before" = "$after" ] || fail "a paused vCPU still exits ($before, then $after)"
expect_match "$(ctl pause)" '"error"'
[ "$(ctl resume)" = '{"ok":true}' ] || fail "resume refused"
[ "$(json "$(ctl info)" 'd["state"]')" = running ] || fail "not running again"
expect_match "$(ctl frobnicate)" "unknown command 'frobnicate'"
expect_match "$(ctl 'stop soon')" "expected seconds"
[ "$(ctl 'stop 0')" = '{"ok":true}' ] || fail "stop refused"
status=0
wait $vmm || status=$?
[ "$status" = 0 ] || fail "the stopped VMM exited $status: $(cat "$TEST_TMP/err")"
[ ! -e "$SOCK" ] || fail "the control socket was left behind"

# stop_vmm GUEST MARKER COMMAND [OPTION...]: run GUEST with OPTIONs and a control socket, send
# COMMAND once it printed MARKER, and expect a VMM that exits 0 (its output in out and err)
stop_vmm() {
	local guest=$1 marker=$2 command=$3 status=0
	shift 3
	timeout 60 "$BASALT" vmm run --boot direct --kernel "$GUESTS/$guest.elf" --memory 16 \
		--control "$SOCK" "$@" </dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
	vmm=$!
	at_exit "kill $vmm 2>/dev/null"
	wait_for "$TEST_TMP/out" "$marker"
	until [ -S "$SOCK" ]; do sleep 0.05; done
	[ "$(ctl "$command")" = '{"ok":true}' ] || fail "$command refused"
	wait $vmm || status=$?
	[ "$status" = 0 ] || fail "the VMM sent '$command' exited $status: $(cat "$TEST_TMP/err")"
}

# stop asks first: the keyboard types Ctrl-Alt-Del, the guest resets the machine, and that
# reboot ends the VMM even with --reboot restart
stop_vmm kbd 'waiting for ctrl-alt-del' stop --reboot restart
[ "$(cat "$TEST_TMP/out")" = "waiting for ctrl-alt-del
ctrl-alt-del" ] || fail "the guest did not see Ctrl-Alt-Del once: $(cat "$TEST_TMP/out")"
! grep -q 'did not stop' "$TEST_TMP/err" ||
	fail "the guest was stopped by force: $(cat "$TEST_TMP/err")"

# a guest that ignores it is stopped once the grace period is over
stop_vmm idle 'idle guest up' 'stop 1'
expect_match "$(cat "$TEST_TMP/err")" 'did not stop within 1 s'

# the console on a pseudo-terminal, named by info: a key typed there reaches the guest's UART
timeout 60 "$BASALT" vmm run --boot direct --kernel "$GUESTS/irq.elf" --memory 16 \
	--console pty --control "$SOCK" </dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
vmm=$!
at_exit "kill $vmm 2>/dev/null"
until [ -S "$SOCK" ] && info=$(ctl info 2>/dev/null); do sleep 0.05; done
pty=$(json "$info" 'd["console"]')
[[ "$pty" == /dev/pts/* ]] || fail "info names no pseudo-terminal: $info"
expect_match "$(cat "$TEST_TMP/err")" "the console is on $pty"
exec 5<>"$pty"
printf x >&5
# the guest exits 0 once its UART interrupt brought the key (its output, read from the pty,
# could be lost when the VMM closes the pty at its exit)
status=0
wait $vmm || status=$?
exec 5>&-
[ "$status" = 0 ] || fail "the guest did not get the key typed on $pty (status $status)"

# a reboot ends the VMM; with --reboot restart the guest boots again, until stopped
out=$(timeout 30 "$BASALT" vmm run --boot direct --kernel "$GUESTS/reboot.elf" --memory 16 \
	</dev/null) || fail "reboot: exited $?"
[ "$out" = booted ] || fail "reboot printed: $out"
timeout 60 "$BASALT" vmm run --boot direct --kernel "$GUESTS/reboot.elf" --memory 16 \
	--reboot restart --control "$SOCK" </dev/null >"$TEST_TMP/out" 2>&1 &
vmm=$!
at_exit "kill $vmm 2>/dev/null"
until [ "$(grep -c booted "$TEST_TMP/out")" -ge 3 ]; do sleep 0.05; done
until ctl stop >/dev/null 2>&1; do sleep 0.05; done
wait $vmm || fail "the restarting VMM exited $?"

# confined: as an unprivileged user under the seccomp allow-list, every device still works
disk=$TEST_TMP/disk.img
truncate -s 1M "$disk"
out=$(timeout 30 "$BASALT" vmm run --boot direct --kernel "$GUESTS/virtio.elf" --memory 16 \
	--disk "$disk" --confine </dev/null) || fail "confined virtio guest exited $?: $out"
expect_match "$out" 'write, read back, flush, discard ok'
expect_match "$out" 'rng: 64 random bytes'
out=$(echo x | timeout 30 "$BASALT" vmm run --boot direct --kernel "$GUESTS/irq.elf" \
	--memory 16 --confine=1000:1000) || fail "confined irq guest exited $?"
expect_match "$out" 'got x'
out=$(timeout 30 "$BASALT" vmm run --boot direct --kernel "$GUESTS/smp.elf" --memory 16 \
	--cpus 2 --confine </dev/null) || fail "confined smp guest exited $?"
expect_match "$out" '^2 vCPUs arrived$'
expect_fail "$BASALT" vmm run --boot direct --kernel "$GUESTS/hello.elf" --confine=nobody
expect_match "$LAST_STDERR" 'UID'
# a confined VMM restarts its rebooting guest too (each run in a new child of a privileged
# parent, which cannot set up a VM again)
timeout 60 "$BASALT" vmm run --boot direct --kernel "$GUESTS/reboot.elf" --memory 16 \
	--reboot restart --control "$SOCK" --confine </dev/null >"$TEST_TMP/out" 2>&1 &
vmm=$!
at_exit "kill $vmm 2>/dev/null"
until [ "$(grep -c booted "$TEST_TMP/out")" -ge 3 ]; do sleep 0.05; done
kill -TERM $vmm # passed on to the running child, and no restart after it
status=0
wait $vmm || status=$?
[ "$status" = 143 ] || fail "the confined restarting VMM exited $status, not by SIGTERM"
# every line says booted, but the last may be cut short by the signal
! head -n -1 "$TEST_TMP/out" | grep -v '^booted$' || fail "the confined restarting VMM complained"
last=$(tail -n 1 "$TEST_TMP/out")
case booted in
"$last"*) ;;
*) fail "the confined restarting VMM ended with: $last" ;;
esac
[ ! -e "$SOCK" ] || fail "the confined restarting VMM left its control socket behind"

# the privileged parent of a confined VMM killed outright: the VMM in its child dies with it,
# leaving no guest running that nothing supervises
sleep 1000 | "$BASALT" vmm run --boot direct --kernel "$GUESTS/irq.elf" --memory 16 \
	--control "$TEST_TMP/orphan.sock" --confine >/dev/null 2>&1 &
parent=$!
at_exit "kill -KILL $parent 2>/dev/null"
until [ -S "$TEST_TMP/orphan.sock" ]; do sleep 0.05; done
child=$(pgrep -P $parent) || fail "the confined VMM has no child running the guest"
kill -KILL $parent
for _ in $(seq 200); do
	kill -0 "$child" 2>/dev/null || break
	sleep 0.05
done
! kill -0 "$child" 2>/dev/null || fail "the confined VMM $child outlived its parent"

# a confined VMM's control and console sockets are gone once it has exited
out=$(timeout 30 "$BASALT" vmm run --boot direct --kernel "$GUESTS/hello.elf" --memory 16 \
	--control "$TEST_TMP/confined.sock" --console "unix:$TEST_TMP/confined-console.sock" \
	--confine </dev/null) || fail "confined guest with sockets exited $?"
[ ! -e "$TEST_TMP/confined.sock" ] || fail "the confined VMM left its control socket behind"
[ ! -e "$TEST_TMP/confined-console.sock" ] ||
	fail "the confined VMM left its console socket behind"
exit 0
