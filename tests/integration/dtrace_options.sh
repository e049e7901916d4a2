#!/bin/bash
# dtrace_options.sh - dtrace's -S, -h, -a and -G. -S prints the BPF of each attachment on
# standard error (BEGIN's program, from its first instruction to its exit) and the program
# still runs; with -e it prints them and runs nothing. -h writes a header with a macro per
# probe and its is-enabled test, and a bad provider definition gives one D_SYNTAX line and no
# header (tests/dt/usdt/tst.header traces a program built with such a header); -a and -G are
# refused with one line each.
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "BPF needs root"

expect_ok dtrace -S -q -n 'BEGIN { printf("%d\n", 6 * 7); exit(0); }'
[ "$LAST_STDOUT" = 42 ] || fail "-S: the program printed: $LAST_STDOUT"
expect_match "$LAST_STDERR" '^run once dtrace:::BEGIN: [0-9]+ instructions$'
expect_match "$LAST_STDERR" '^ +0: r6 = r1$'
expect_match "$LAST_STDERR" '^ +[0-9]+: call [0-9]+$'
expect_match "$LAST_STDERR" '^ +[0-9]+: exit$'

# with -e: the code of each attachment, nothing run
expect_ok dtrace -S -e -n 'syscall::getppid:entry { @ = count(); } tick-1s { exit(0); }'
[ -z "$LAST_STDOUT" ] || fail "-S -e printed on standard output: $LAST_STDOUT"
expect_match "$LAST_STDERR" '^raw tracepoint sys_enter: [0-9]+ instructions$'
expect_match "$LAST_STDERR" '^one-CPU timer every 1000000000 ns: [0-9]+ instructions$'

printf 'provider p { probe a(int,, int); };\n' >"$TEST_TMP/bad.d"
expect_fail dtrace -h -s "$TEST_TMP/bad.d"
expect_match "$LAST_STDERR" '\[D_SYNTAX\] line 1: syntax error in the arguments of probe a'
[ ! -e "$TEST_TMP/bad.h" ] || fail "-h left a header behind after an error"

printf 'provider shop {\n\tprobe order__placed(char *, int);\n\tprobe closed();\n};\n' \
	>"$TEST_TMP/shop.d"
expect_ok dtrace -h -s "$TEST_TMP/shop.d"
header=$(cat "$TEST_TMP/shop.h")
expect_match "$header" '^#define SHOP_ORDER_PLACED\(arg0, arg1\)'
expect_match "$header" 'DTRACE_PROBE2\(shop, order__placed, arg0, arg1\)'
expect_match "$header" '^#define SHOP_CLOSED\(\)'
expect_match "$header" '^#define SHOP_CLOSED_ENABLED\(\) __builtin_expect\(shop_closed_semaphore'

expect_fail dtrace -a -n 'BEGIN { exit(0); }'
expect_match "$LAST_STDERR" '^dtrace: -a is not supported'
expect_fail dtrace -G -s "$TEST_TMP/shop.d"
expect_match "$LAST_STDERR" '^dtrace: -G is not supported'
