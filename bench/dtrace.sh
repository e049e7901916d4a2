#!/bin/bash
# Basalt's dtrace against bpftrace (Debian's, installed with apt-get when missing), side by side
# on the same work:
#   - time to enabled: from starting the tool until its probe on getppid() first fires while a
#     loop calls getppid(), read from the event's own timestamp (dtrace: walltimestamp;
#     bpftrace: nsecs, made wall-clock time with the offset between the two clocks)
#   - one probe: wall time from starting the tool until its first event has ended it
#     (syscall::getppid:entry { exit(0); }) while a loop calls getppid(): it bounds from above
#     the time to enable a probe, plus the time to detach it
#   - all system calls on and off: the same with every system call's entry probe
#     (bpftrace: tracepoint:syscalls:sys_enter_*), the whole run from start to exit
#   - peak resident memory of @[execname] = count() on every system call for one second
#   - the added cost per event of count() and of @[execname] = count() on a loop of getppid()
# Each time is the median of REPS runs. Prints one table. Run as root from the source tree
# after building: bench/dtrace.sh [-B BUILDDIR] [-r REPS] [-n CALLS] [-P] (-P: no bpftrace).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$HERE/../build
REPS=5
CALLS=2000000
PEER=1
while getopts "B:r:n:P" opt; do
	case $opt in
	B) BUILD=$OPTARG ;;
	r) REPS=$OPTARG ;;
	n) CALLS=$OPTARG ;;
	P) PEER=0 ;;
	*) echo "usage: bench/dtrace.sh [-B BUILDDIR] [-r REPS] [-n CALLS] [-P]" >&2; exit 2 ;;
	esac
done
[[ $(id -u) == 0 ]] || { echo "dtrace.sh: run as root" >&2; exit 1; }
BUILD=$(cd "$BUILD" && pwd)
DTRACE=$BUILD/dtrace
LOOP=$BUILD/tests/dt/syscalls
[ -x "$DTRACE" ] && [ -x "$LOOP" ] || { echo "dtrace.sh: build first (ninja -C $BUILD)" >&2; exit 1; }
if [ "$PEER" = 1 ] && ! command -v bpftrace >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends bpftrace >/dev/null
fi
WORK=$(mktemp -d /tmp/basalt-dtrace-bench.XXXXXX)
pids=()
cleanup()
{
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s%N; }

# median of the numbers on stdin
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# ms CMD...: median wall time of CMD in milliseconds, with three decimals
ms()
{
	local i s e
	for ((i = 0; i < REPS; i++)); do
		s=$(now)
		"$@" >/dev/null 2>&1
		e=$(now)
		echo $(((e - s) / 1000))
	done | median | awk '{printf "%.1f", $1 / 1000}'
}

# ns_per_call: the getppid loop's time per call, in nanoseconds (median of REPS)
ns_per_call()
{
	local i s e
	for ((i = 0; i < REPS; i++)); do
		s=$(now)
		"$LOOP" "$CALLS"
		e=$(now)
		echo $(((e - s) / (CALLS / 1000)))
	done | median | awk '{printf "%.0f", $1 / 1000}'
}

# traced TOOL SCRIPT: ns per call while TOOL runs SCRIPT (started and given time to attach)
traced()
{
	local tool=$1 script=$2 pid r
	if [ "$tool" = dtrace ]; then
		"$DTRACE" -q -n "$script" >/dev/null 2>&1 &
	else
		bpftrace -e "$script" >/dev/null 2>&1 &
	fi
	pid=$!
	pids+=("$pid")
	sleep 3 # bpftrace needs about a second to attach; dtrace a few milliseconds
	r=$(ns_per_call)
	kill -INT "$pid"
	wait "$pid" 2>/dev/null || true
	echo "$r"
}

peak_rss()
{
	/usr/bin/time -f %M -o "$WORK/rss" "$@" >/dev/null 2>&1 || true
	awk '{printf "%.1f", $1 / 1024}' "$WORK/rss"
}

"$LOOP" 2000000000 &
busy=$!
pids+=("$busy")

# the offset between the wall clock and the monotonic clock, in ns
OFFSET=$(python3 -c 'import time; print(time.time_ns() - time.clock_gettime_ns(time.CLOCK_MONOTONIC))')

# enabled TOOL: ms from starting the tool to its first event (median of REPS)
enabled()
{
	local i s t
	for ((i = 0; i < REPS; i++)); do
		s=$(now)
		if [ "$1" = dtrace ]; then
			t=$("$DTRACE" -q -n 'syscall::getppid:entry { printf("%d\n", walltimestamp);
				exit(0); }' 2>/dev/null | head -n 1)
		else
			t=$(bpftrace -e 'tracepoint:syscalls:sys_enter_getppid { printf("%lld\n", nsecs);
				exit(); }' 2>/dev/null | grep -E '^[0-9]+$' | head -n 1)
			t=$((t + OFFSET))
		fi
		echo $(((t - s) / 1000))
	done | median | awk '{printf "%.1f", $1 / 1000}'
}

d_enabled=$(enabled dtrace)
d_one=$(ms "$DTRACE" -q -n 'syscall::getppid:entry { exit(0); }')
d_all=$(ms "$DTRACE" -q -n 'syscall:::entry { exit(0); }')
d_rss=$(peak_rss "$DTRACE" -q -n 'syscall:::entry { @[execname] = count(); } tick-1s { exit(0); }')
b_one=- b_all=- b_rss=- b_enabled=-
if [ "$PEER" = 1 ]; then
	b_enabled=$(enabled bpftrace)
	b_one=$(ms bpftrace -e 'tracepoint:syscalls:sys_enter_getppid { exit(); }')
	REPS_SAVED=$REPS
	REPS=1 # 360 tracepoints take tens of seconds to detach
	b_all=$(ms bpftrace -e 'tracepoint:syscalls:sys_enter_* { exit(); }')
	REPS=$REPS_SAVED
	b_rss=$(peak_rss bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }
		interval:s:1 { exit(); }')
fi
kill "$busy"
wait "$busy" 2>/dev/null || true

base=$(ns_per_call)
d_count=$(traced dtrace 'syscall::getppid:entry { @ = count(); }')
d_comm=$(traced dtrace 'syscall::getppid:entry { @[execname] = count(); }')
b_count=- b_comm=-
if [ "$PEER" = 1 ]; then
	b_count=$(traced bpftrace 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }')
	b_comm=$(traced bpftrace 'tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }')
fi
added() { [ "$1" = - ] && echo - || echo $(($1 - base)); }

printf "%-52s %10s %10s\n" "figure" "dtrace" "bpftrace"
printf "%-52s %10s %10s\n" "one probe: start to enabled (first event) (ms)" "$d_enabled" \
	"$b_enabled"
printf "%-52s %10s %10s\n" "one probe: start to first event to exit (ms)" "$d_one" "$b_one"
printf "%-52s %10s %10s\n" "all syscall entries: start to event to exit (ms)" "$d_all" "$b_all"
printf "%-52s %10s %10s\n" "peak RSS, @[execname] = count() on all (MiB)" "$d_rss" "$b_rss"
printf "%-52s %10s %10s\n" "getppid() untraced (ns per call)" "$base" "$base"
printf "%-52s %10s %10s\n" "added per event: @ = count() (ns)" "$(added "$d_count")" \
	"$(added "$b_count")"
printf "%-52s %10s %10s\n" "added per event: @[execname] = count() (ns)" "$(added "$d_comm")" \
	"$(added "$b_comm")"
