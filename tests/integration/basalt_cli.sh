#!/bin/bash
# basalt_cli.sh - the multi-call front end: help lists the tools, unknown commands and options
# fail with one line and exit status 2, and a link named after a tool runs that tool.
source "$(dirname "$0")/lib.sh"

expect_ok "$BASALT" --help
expect_match "$LAST_STDOUT" '^usage: basalt TOOL'
expect_match "$LAST_STDOUT" '^  version +print the version of basalt$'

# no arguments: the same list, on stderr, as a usage error
_run_captured "$BASALT"
[ "$LAST_STATUS" -eq 2 ] || fail "basalt with no arguments exited $LAST_STATUS, expected 2"
expect_match "$LAST_STDERR" '^  version '

expect_ok "$BASALT" --version
expect_match "$LAST_STDOUT" '^basalt [0-9]+\.[0-9]+\.[0-9]+$'
version=$LAST_STDOUT

expect_fail "$BASALT" frobnicate
[ "$LAST_STATUS" -eq 2 ] || fail "unknown command exited $LAST_STATUS, expected 2"
[ "$LAST_STDERR" = "basalt: unknown command 'frobnicate'; run 'basalt --help'" ] ||
	fail "unexpected message: $LAST_STDERR"

expect_fail "$BASALT" --frobnicate
[ "$LAST_STATUS" -eq 2 ] || fail "unknown option exited $LAST_STATUS, expected 2"

# `basalt TOOL` and the tool's own arguments
expect_ok "$BASALT" version
[ "$LAST_STDOUT" = "$version" ] || fail "basalt version printed '$LAST_STDOUT'"
expect_ok "$BASALT" version -j
expect_match "$LAST_STDOUT" '"version": "[0-9.]+"'
expect_fail "$BASALT" version --bogus
[ "$LAST_STATUS" -eq 2 ] || fail "a tool's usage error exited $LAST_STATUS, expected 2"

# the build dir's links are on PATH and dispatch by their name
[ -L "$BASALT_BUILD/version" ] || fail "the build did not create the 'version' link"
[ "$(command -v version)" = "$BASALT_BUILD/version" ] || fail "the 'version' link is not on PATH"
expect_ok version
[ "$LAST_STDOUT" = "$version" ] || fail "the version link printed '$LAST_STDOUT'"

# any link works, wherever it lives, through its basename
ln -s "$BASALT" "$TEST_TMP/version"
expect_ok "$TEST_TMP/version" --json
expect_match "$LAST_STDOUT" '"version"'

# a link with a name that is no tool behaves as basalt itself
ln -s "$BASALT" "$TEST_TMP/basalt-local"
expect_ok "$TEST_TMP/basalt-local" --help
expect_match "$LAST_STDOUT" '^  version '
