#!/bin/bash
# dtrace_cli.sh - the dtrace command line as an operator uses it: -C with -D, -U and -I
# (preprocessing through cpp), -o (appends, as DTrace does), -Z, -l filtered by -P, -f and -n,
# -x strsize, macro arguments $1 and $$2 after -s, -p PID ($target, and a PID that is not a
# process), and Ctrl-C (SIGINT), which ends tracing and prints the aggregations.
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "BPF needs root"
command -v cpp >/dev/null || skip "no cpp for -C"
TRIGGER=$BASALT_BUILD/tests/dt/syscalls
[ -x "$TRIGGER" ] || fail "the trigger $TRIGGER is not built"

# -C: a #define of the script, a -D from the command line, an #include found through -I
mkdir -p "$TEST_TMP/inc"
echo '#define GREETING "value %d %s\n"' >"$TEST_TMP/inc/greet.h"
cat >"$TEST_TMP/cpp.d" <<'D'
#include <greet.h>
#ifdef GONE
#error GONE was undefined with -U
#endif
BEGIN { printf(GREETING, VAL, WHO); exit(0); }
D
expect_ok dtrace -q -C -I "$TEST_TMP/inc" -D VAL=7 -D 'WHO="there"' -D GONE -U GONE \
	-s "$TEST_TMP/cpp.d"
[ "$LAST_STDOUT" = "value 7 there" ] || fail "-C printed: $LAST_STDOUT"
# without -C the # lines are not D
expect_fail dtrace -q -s "$TEST_TMP/cpp.d"
expect_match "$LAST_STDERR" 'failed to compile script'

# -o appends to the file
expect_ok dtrace -q -o "$TEST_TMP/out" -n 'BEGIN { printf("first\n"); exit(0); }'
expect_ok dtrace -q -o "$TEST_TMP/out" -n 'BEGIN { printf("second\n"); exit(0); }'
[ -z "$LAST_STDOUT" ] || fail "-o also wrote to standard output: $LAST_STDOUT"
[ "$(grep -v '^$' "$TEST_TMP/out" | tr '\n' ' ')" = "first second " ] ||
	fail "-o wrote: $(cat "$TEST_TMP/out")"

# -Z: a description that matches nothing is allowed; without it, one line and exit 1
expect_ok dtrace -q -Z -n 'nosuch:::probe { trace(1); }' -n 'BEGIN { printf("ran\n"); exit(0); }'
[ "$LAST_STDOUT" = "ran" ] || fail "-Z printed: $LAST_STDOUT"
expect_fail dtrace -q -n 'nosuch:::probe { trace(1); }' -n 'BEGIN { exit(0); }'
expect_match "$LAST_STDERR" 'D_PDESC_ZERO'
[ "$LAST_STATUS" -eq 1 ] || fail "a probe matching nothing exited $LAST_STATUS"

# -l with -P, -f and -n
expect_ok dtrace -l -P proc
expect_match "$LAST_STDOUT" ' proc +vmlinux +exec-success$'
! grep -qv -E '^ +ID|^ +[0-9]+ +proc ' <<<"$LAST_STDOUT" || fail "-l -P proc listed: $LAST_STDOUT"
expect_ok dtrace -l -f getppid
[ "$(grep -c ' getppid ' <<<"$LAST_STDOUT")" -eq 2 ] || fail "-l -f getppid: $LAST_STDOUT"
expect_ok dtrace -l -n 'syscall::getppid:return'
[ "$(grep -c . <<<"$LAST_STDOUT")" -eq 2 ] || fail "-l -n listed: $LAST_STDOUT"
expect_match "$LAST_STDOUT" ' syscall +vmlinux +getppid return$'

# -x strsize
expect_ok dtrace -q -x strsize=8 -n 'BEGIN { printf("%s\n", "abcdefghijkl"); exit(0); }'
[ "$LAST_STDOUT" = "abcdefg" ] || fail "strsize=8 printed: $LAST_STDOUT"

# macro arguments after -s: $1 an integer, $$2 a string
echo 'BEGIN { printf("%d %s\n", $1 + 1, $$2); exit(0); }' >"$TEST_TMP/args.d"
expect_ok dtrace -q -s "$TEST_TMP/args.d" 41 word
[ "$LAST_STDOUT" = "42 word" ] || fail "macro arguments printed: $LAST_STDOUT"
expect_fail dtrace -q -s "$TEST_TMP/args.d" 41
expect_match "$LAST_STDERR" 'D_MACRO_UNDEF'

# -p: the process's system calls, $target its pid; a pid that is no process is refused
"$TRIGGER" 1000000000 &
loop=$!
at_exit "kill \$loop 2>/dev/null; wait \$loop 2>/dev/null"
expect_ok dtrace -q -p "$loop" -n '
	syscall::getppid:entry /pid == $target/ { @calls = count(); }
	tick-300ms { exit(0); }
	END { printa("calls %@d\n", @calls); printf("target %d\n", $target); }'
expect_match "$LAST_STDOUT" '^calls [1-9][0-9]*$'
expect_match "$LAST_STDOUT" "^target $loop\$"
expect_fail dtrace -q -p 999999999 -n 'BEGIN { exit(0); }'

# Ctrl-C: tracing ends and the aggregations are printed
dtrace -q -n 'syscall::getppid:entry /pid == '"$loop"'/ { @[execname] = count(); }' \
	>"$TEST_TMP/int.out" 2>"$TEST_TMP/int.err" &
tracer=$!
at_exit "kill \$tracer 2>/dev/null || true"
sleep 1
kill -INT "$tracer"
status=0
wait "$tracer" || status=$?
[ "$status" -eq 0 ] || fail "dtrace exited $status after SIGINT: $(cat "$TEST_TMP/int.err")"
grep -qE '^  syscalls +[1-9][0-9]*$' "$TEST_TMP/int.out" ||
	fail "no aggregation after SIGINT: $(cat "$TEST_TMP/int.out")"
echo "passed"
