#!/bin/bash
# dtrace_zonename.sh - zonename names the zone a process runs in. A real PID namespace is made
# with unshare(1) and published as zone "dtzone" the way a running zone publishes itself
# ($BASALT_ROOT/run/zones/<name>/pidns holds the namespace's inode); a process entered into that
# namespace with nsenter(1) is in "dtzone", the same program run on the host is in "global".
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "BPF and PID namespaces need root"
[ -e /sys/kernel/btf/vmlinux ] || skip "no kernel BTF: zonename cannot read namespaces"
command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "no unshare/nsenter"
[ -x "$BASALT_BUILD/tests/dt/syscalls" ] || fail "the trigger tests/dt/syscalls is not built"
# a copy under a name of its own: another test's loop of the same trigger is not counted
TRIGGER=$TEST_TMP/dtzonetrig
cp "$BASALT_BUILD/tests/dt/syscalls" "$TRIGGER"

# a process holding a new PID namespace open: PID 1 of the "zone"
unshare --pid --fork --kill-child sleep 1000 >/dev/null 2>&1 </dev/null &
holder=$!
# unshare ignores SIGTERM while it waits; its child dies with it (--kill-child)
at_exit "kill -KILL \$holder 2>/dev/null; wait \$holder 2>/dev/null"
init=""
for _ in $(seq 100); do
	init=$(pgrep -P "$holder" sleep || true)
	[ -n "$init" ] && break
	sleep 0.05
done
[ -n "$init" ] || fail "the namespace's first process did not start"
ino=$(stat -L -c %i "/proc/$init/ns/pid")
[ "$ino" != "$(stat -L -c %i /proc/self/ns/pid)" ] || fail "unshare made no new PID namespace"
mkdir -p "$BASALT_ROOT/run/zones/dtzone"
echo "$ino" >"$BASALT_ROOT/run/zones/dtzone/pidns"

cat >"$TEST_TMP/work.sh" <<SH
$TRIGGER 2
nsenter --target $init --pid -- $TRIGGER 3
SH
expect_ok dtrace -q -c "/bin/sh $TEST_TMP/work.sh" -n '
	syscall::getppid:entry /execname == "dtzonetrig"/ { @[zonename] = count(); }'
expect_match "$LAST_STDOUT" '^  global +2$'
expect_match "$LAST_STDOUT" '^  dtzone +3$'
[ "$(grep -c . <<<"$LAST_STDOUT")" -eq 2 ] || fail "unexpected lines: $LAST_STDOUT"

# without the run directory the same namespace is no zone of ours
rm -rf "$BASALT_ROOT/run/zones"
expect_ok dtrace -q -c "/bin/sh $TEST_TMP/work.sh" -n '
	syscall::getppid:entry /execname == "dtzonetrig"/ { @[zonename] = count(); }'
expect_match "$LAST_STDOUT" '^  global +5$'
