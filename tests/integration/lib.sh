# shellcheck shell=bash
# lib.sh - helpers sourced by every integration test: each test runs `basalt` as a user would,
# against a fresh state directory of its own, and reports through its exit status:
# 0 passed, 77 skipped (after printing "skipped: <reason>"), anything else failed.
#
#   $BASALT        the binary under test (BASALT_BUILD, default <repo>/build, holds it)
#   $BASALT_ROOT   a fresh, empty state directory, removed on exit
#   PATH           starts with the build dir, so the links (zfs, zpool, ...) run the build
#   fail MSG       fail the test
#   skip REASON    skip the test
#   expect_fail CMD...  CMD must exit non-zero with exactly one line on stderr; sets
#                  LAST_STATUS, LAST_STDOUT and LAST_STDERR
#   expect_ok CMD...    CMD must exit 0; sets the same variables
#   at_exit CMD    run CMD (a string, evaluated) on exit, before the state directory is removed

set -euo pipefail

TESTS_INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$TESTS_INTEGRATION_DIR/../.." && pwd)
BASALT_BUILD=$(cd "${BASALT_BUILD:-$REPO_DIR/build}" 2>/dev/null && pwd) || {
	echo "lib.sh: no build directory; run 'meson setup build && ninja -C build'" >&2
	exit 1
}
BASALT=$BASALT_BUILD/basalt
if [ ! -x "$BASALT" ]; then
	echo "lib.sh: $BASALT is not built; run 'ninja -C $BASALT_BUILD'" >&2
	exit 1
fi
export BASALT BASALT_BUILD
export PATH="$BASALT_BUILD:$PATH"

TEST_NAME=$(basename "$0" .sh)
BASALT_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/basalt-$TEST_NAME.XXXXXX")
export BASALT_ROOT
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/basalt-$TEST_NAME-tmp.XXXXXX")

_at_exit_cmds=()
at_exit() {
	_at_exit_cmds+=("$1")
}

_lib_cleanup() {
	local status=$? i
	for ((i = ${#_at_exit_cmds[@]} - 1; i >= 0; i--)); do
		eval "${_at_exit_cmds[i]}" || true
	done
	rm -rf "$BASALT_ROOT" "$TEST_TMP"
	exit "$status"
}
trap _lib_cleanup EXIT

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

skip() {
	echo "skipped: $*"
	exit 77
}

# The test runs the pool daemon: it needs root and /dev/fuse (else it is skipped), gets a small
# default pool, and the daemon is stopped when the test ends.
use_pool_daemon() {
	[ "$(id -u)" -eq 0 ] || skip "the pool daemon runs as root"
	[ -c /dev/fuse ] || skip "no /dev/fuse: file systems cannot be mounted"
	export BASALT_DEFAULT_POOL_SIZE=256M
	at_exit '"$BASALT" zfsd --stop >/dev/null 2>&1'
}

# Run CMD, capturing its status, stdout and stderr.
_run_captured() {
	LAST_STATUS=0
	"$@" >"$TEST_TMP/stdout" 2>"$TEST_TMP/stderr" || LAST_STATUS=$?
	LAST_STDOUT=$(cat "$TEST_TMP/stdout")
	LAST_STDERR=$(cat "$TEST_TMP/stderr")
}

expect_fail() {
	local lines
	_run_captured "$@"
	if [ "$LAST_STATUS" -eq 0 ]; then
		fail "'$*' succeeded but should have failed"
	fi
	lines=$(wc -l <"$TEST_TMP/stderr")
	if [ "$lines" -ne 1 ]; then
		fail "'$*' wrote $lines lines to stderr, expected one: $LAST_STDERR"
	fi
}

expect_ok() {
	_run_captured "$@"
	if [ "$LAST_STATUS" -ne 0 ]; then
		fail "'$*' exited $LAST_STATUS: $LAST_STDERR"
	fi
}

# expect_match TEXT PATTERN: TEXT must contain the extended regular expression PATTERN.
expect_match() {
	if ! grep -qE -- "$2" <<<"$1"; then
		fail "expected /$2/ in: $1"
	fi
}

# The test boots guests on /dev/kvm: skipped where there is none that can be opened.
use_kvm() {
	[ -c /dev/kvm ] || skip "no /dev/kvm"
	(exec 3<>/dev/kvm) 2>/dev/null || skip "no /dev/kvm (cannot open it)"
}

# run_test_guest NAME ARGS...: run the freestanding test guest tests/guest/NAME.c with 16 MiB
# under the VMM (direct entry), with ARGS added; its output on stdout, its exit status
run_test_guest() {
	local name=$1
	shift
	timeout 60 "$BASALT" vmm run --boot direct --kernel "$BASALT_BUILD/tests/guest/$name.elf" \
		--memory 16 "$@"
}
