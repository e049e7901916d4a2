#!/bin/bash
# stor_concurrency.sh - many processes write and read the same and different files through one
# mount while snapshots are taken: nothing deadlocks, every write lands whole and in order, and
# every snapshot holds whole records, each file a prefix of its final content.
source "$(dirname "$0")/lib.sh"

use_pool_daemon
PY=$(command -v python3) || skip "no python3 for the writers"

mnt=$BASALT_ROOT/mnt
truncate -s 512M "$BASALT_ROOT/d1.img"
expect_ok zpool create -m "$mnt/tank" tank "$BASALT_ROOT/d1.img"
expect_ok zfs create tank/c
dir=$mnt/tank/c

# a writer appends numbered records, one write(2) each, to its own file or the shared one
cat >"$TEST_TMP/writer.py" <<'PY'
import os, sys, zlib
path, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
for i in range(n):
    body = "%s %06d %s" % (tag, i, "x" * (i % 300))
    os.write(fd, ("%s %08x\n" % (body, zlib.crc32(body.encode()))).encode())
os.close(fd)
PY
# a checker: every record whole and intact, each writer's records in order; with -n N, all there
cat >"$TEST_TMP/check.py" <<'PY'
import sys, zlib
want = int(sys.argv[2]) if len(sys.argv) > 2 else None
last = {}
with open(sys.argv[1], "rb") as f:
    data = f.read()
if data and not data.endswith(b"\n"):
    sys.exit("%s: a torn record at the end" % sys.argv[1])
for line in data.decode().splitlines():
    body, crc = line.rsplit(" ", 1)
    if "%08x" % zlib.crc32(body.encode()) != crc:
        sys.exit("%s: a damaged record: %r" % (sys.argv[1], line[:60]))
    tag, seq = body.split(" ")[:2]
    if int(seq) != last.get(tag, -1) + 1:
        sys.exit("%s: %s jumps from %d to %s" % (sys.argv[1], tag, last.get(tag, -1), seq))
    last[tag] = int(seq)
if want is not None and any(v != want - 1 for v in last.values()):
    sys.exit("%s: incomplete: %r" % (sys.argv[1], last))
PY

n=3000
pids=()
for w in 1 2 3 4; do
	"$PY" "$TEST_TMP/writer.py" "$dir/own$w" "w$w" "$n" &
	pids+=($!)
done
for w in 5 6; do
	"$PY" "$TEST_TMP/writer.py" "$dir/shared" "w$w" "$n" &
	pids+=($!)
done
# readers while they write
(for i in $(seq 1 20); do cat "$dir"/* >/dev/null 2>&1 || true; done) &
pids+=($!)
# snapshots while they write
for s in $(seq 1 8); do
	expect_ok zfs snapshot "tank/c@s$s"
	sleep 0.2
done
for p in "${pids[@]}"; do
	wait "$p" || fail "a writer or reader failed (status $?)"
done

for f in own1 own2 own3 own4 shared; do
	"$PY" "$TEST_TMP/check.py" "$dir/$f" "$n" || fail "the live $f is wrong"
done
shopt -s nullglob
checked=0
for s in $(seq 1 8); do
	for f in "$dir/.zfs/snapshot/s$s"/*; do
		"$PY" "$TEST_TMP/check.py" "$f" || fail "snapshot s$s: $(basename "$f") is wrong"
		checked=$((checked + 1))
	done
done
[ "$checked" -gt 0 ] || fail "no snapshot caught any file being written"
# and the same after the data left memory: export, import, read again
expect_ok zpool export tank
expect_ok zpool import -d "$BASALT_ROOT" tank
for f in own1 own2 own3 own4 shared; do
	"$PY" "$TEST_TMP/check.py" "$dir/$f" "$n" || fail "after import, $f is wrong"
done
expect_ok zpool scrub -w tank
expect_ok zpool status -x tank
exit 0
