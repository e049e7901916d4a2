#!/bin/bash
# Basalt's dtrace against bpftrace (Debian's, installed with apt-get when missing), side by side
# on the same work:
#   - time to enabled: from starting the tool until its probe on getppid() first fires while a
#     loop calls getppid(), read from the event's own timestamp (dtrace: walltimestamp;
#     bpftrace: nsecs) by bench/first_event.c, which starts the tool itself (no shell between)
#     and also times its exit; runs are 0.25 s apart, as an operator's are, and once more back
#     to back: the kernel waits for an RCU grace period (8-16 ms here) before it attaches to a
#     tracepoint whose last program was detached less than one grace period ago
#   - the same with every system call's entry probe (bpftrace: tracepoint:syscalls:sys_enter_*)
#   - peak resident memory of @[execname] = count() on every system call for one second
#   - the added cost per event of count() and of @[execname] = count() on a loop of getppid(),
#     in the loop's CPU time
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
FIRST=$WORK/first_event
cc -O2 -o "$FIRST" "$HERE/first_event.c" || { echo "dtrace.sh: cannot compile first_event.c" >&2; exit 1; }


# median of the numbers on stdin
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# ns_per_call: the getppid loop's CPU time (user and system, where the probes run) per call, in
# nanoseconds (median of REPS); CPU time rather than wall time, which counts the time the loop
# waits for a CPU on a busy machine
ns_per_call()
{
	local i t
	for ((i = 0; i < REPS; i++)); do
		t=$( { TIMEFORMAT='%3U %3S'; time "$LOOP" "$CALLS"; } 2>&1)
		awk -v c="$CALLS" '{printf "%.0f\n", ($1 + $2) * 1e9 / c}' <<<"$t"
	done | median
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

# timed PAUSE [-m] CMD...: REPS runs of CMD under first_event, PAUSE seconds before each; prints
# the medians in ms of the time to the first event and of the time to exit
timed()
{
	local pause=$1 i
	shift
	for ((i = 0; i < REPS; i++)); do
		sleep "$pause"
		"$FIRST" "$@" || true
	done >"$WORK/timed"
	echo "$(cut -d' ' -f1 "$WORK/timed" | median | awk '{printf "%.1f", $1 / 1000}')" \
		"$(cut -d' ' -f2 "$WORK/timed" | median | awk '{printf "%.1f", $1 / 1000}')"
}

D_ONE='syscall::getppid:entry { printf("%d\n", walltimestamp); exit(0); }'
D_ALL='syscall:::entry { printf("%d\n", walltimestamp); exit(0); }'
B_ONE='tracepoint:syscalls:sys_enter_getppid { printf("%lld\n", nsecs); exit(); }'
B_ALL='tracepoint:syscalls:sys_enter_* { printf("%lld\n", nsecs); exit(); }'

read -r d_enabled d_one < <(timed 0.25 "$DTRACE" -q -n "$D_ONE")
read -r d_b2b _ < <(timed 0 "$DTRACE" -q -n "$D_ONE")
read -r d_all_enabled d_all < <(timed 0.25 "$DTRACE" -q -n "$D_ALL")
d_rss=$(peak_rss "$DTRACE" -q -n 'syscall:::entry { @[execname] = count(); } tick-1s { exit(0); }')
b_enabled=- b_one=- b_b2b=- b_all_enabled=- b_all=- b_rss=-
if [ "$PEER" = 1 ]; then
	read -r b_enabled b_one < <(timed 0.25 -m bpftrace -e "$B_ONE")
	read -r b_b2b _ < <(timed 0 -m bpftrace -e "$B_ONE")
	REPS_SAVED=$REPS
	REPS=1 # 360 tracepoints take tens of seconds to detach
	read -r b_all_enabled b_all < <(timed 0 -m bpftrace -e "$B_ALL")
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
printf "%-52s %10s %10s\n" "one probe: start to enabled, runs back to back (ms)" "$d_b2b" \
	"$b_b2b"
printf "%-52s %10s %10s\n" "one probe: start to first event to exit (ms)" "$d_one" "$b_one"
printf "%-52s %10s %10s\n" "all syscall entries: start to enabled (ms)" "$d_all_enabled" \
	"$b_all_enabled"
printf "%-52s %10s %10s\n" "all syscall entries: start to event to exit (ms)" "$d_all" "$b_all"
printf "%-52s %10s %10s\n" "peak RSS, @[execname] = count() on all (MiB)" "$d_rss" "$b_rss"
printf "%-52s %10s %10s\n" "getppid() untraced (ns per call)" "$base" "$base"
printf "%-52s %10s %10s\n" "added per event: @ = count() (ns)" "$(added "$d_count")" \
	"$(added "$b_count")"
printf "%-52s %10s %10s\n" "added per event: @[execname] = count() (ns)" "$(added "$d_comm")" \
	"$(added "$b_comm")"
