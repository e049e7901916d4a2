#!/bin/bash
# stor_corruption_noredund.sh - on a single device with copies=1, damaging the data of one file
# makes reading that file an I/O error and nothing else: the other files read back identical,
# the daemon stays up, a scrub and zpool status -v name the damaged file, and deleting the file
# leaves a pool that scrubs clean.
source "$(dirname "$0")/lib.sh"

use_pool_daemon
command -v python3 >/dev/null || skip "no python3 to locate blocks in the device"

disks=$BASALT_ROOT/disks
mnt=$BASALT_ROOT/mnt
mkdir "$disks" "$TEST_TMP/ref"
truncate -s 256M "$disks/d1.img"
expect_ok zpool create -m "$mnt/tank" tank "$disks/d1.img"
expect_ok zfs create -o compression=off tank/fs

# the victim: a random first record, then 2 MiB of a distinctive pattern; beside it, random
# files that must stay readable
head -c $((128 << 10)) /dev/urandom >"$TEST_TMP/ref/victim"
python3 -c '
import sys
sys.stdout.buffer.write(b"BASALT-VICTIM-PATTERN-0123456789" * (2 << 20 >> 5))
' >>"$TEST_TMP/ref/victim"
for i in 1 2 3 4; do
	head -c $((i * 300000)) /dev/urandom >"$TEST_TMP/ref/other$i"
done
cp "$TEST_TMP/ref/"* "$mnt/tank/fs/"
expect_ok zpool sync tank
expect_ok zpool export tank

# damage 64 KiB of the victim's pattern where it lies in the device
python3 - "$disks/d1.img" <<'EOF' >"$TEST_TMP/victim.off"
import sys
pat = b"BASALT-VICTIM-PATTERN-0123456789" * 128
data = open(sys.argv[1], "rb").read()
last = data.rfind(pat)
if last < 0 or last % 4096:
    sys.exit("the victim's pattern is not in the device, 4 KiB aligned")
off = last + 4096 - 65536
if data[off:off + 65536] != pat * 16:
    sys.exit("no 64 KiB of the victim's pattern in one piece")
print(off)
EOF
off=$(cat "$TEST_TMP/victim.off")
[ "$off" -ge $((512 << 10)) ] || fail "the victim's data at $off, inside the labels"
dd if=/dev/urandom of="$disks/d1.img" bs=4096 seek=$((off / 4096)) count=16 conv=notrunc \
	status=none

expect_ok zpool import -d "$disks" tank
pid=$(cat "$BASALT_ROOT/run/zfsd.pid")
for i in 1 2 3 4; do
	cmp "$TEST_TMP/ref/other$i" "$mnt/tank/fs/other$i" || fail "other$i does not read back"
done

# errors_listed STATUS: the entries under "errors:" in zpool status -v
errors_listed() {
	sed -n '/^errors: /,$p' <<<"$1" | sed -n 's/^[[:space:]]\{1,\}\([^[:space:]].*\)$/\1/p'
}

# a scrub alone finds the damage and names the file, and only it
expect_ok zpool scrub -w tank
expect_ok zpool status -v tank
st=$LAST_STDOUT
expect_match "$st" '^ state: (ONLINE|DEGRADED)$'
expect_match "$st" '^  scan: scrub repaired 0B? .* with [1-9][0-9]* errors'
expect_match "$st" '^errors: Permanent errors have been detected'
[ "$(errors_listed "$st")" = "tank/fs:/victim" ] ||
	fail "the scrub's error list is not just the victim: $(errors_listed "$st")"
kill -0 "$pid" 2>/dev/null || fail "the daemon died scrubbing a damaged block"

# reading it is an I/O error; what lies before the damage still reads; the others are whole
if cat "$mnt/tank/fs/victim" >/dev/null 2>"$TEST_TMP/cat.err"; then
	fail "the damaged file read without an error"
fi
expect_match "$(cat "$TEST_TMP/cat.err")" 'Input/output error'
head -c 65536 "$mnt/tank/fs/victim" | cmp - <(head -c 65536 "$TEST_TMP/ref/victim") ||
	fail "the undamaged start of the victim does not read back"
for i in 1 2 3 4; do
	cmp "$TEST_TMP/ref/other$i" "$mnt/tank/fs/other$i" || fail "other$i does not read back"
done
kill -0 "$pid" 2>/dev/null || fail "the daemon died reading a damaged block"
[ "$(cat "$BASALT_ROOT/run/zfsd.pid")" = "$pid" ] || fail "the daemon was restarted"
expect_ok zpool status -v tank
[ "$(errors_listed "$LAST_STDOUT")" = "tank/fs:/victim" ] ||
	fail "after reading, the error list is not just the victim: $(errors_listed "$LAST_STDOUT")"

# the file can be deleted; then the pool scrubs clean and survives an export and import
rm "$mnt/tank/fs/victim"
expect_ok zpool sync tank
expect_ok zpool scrub -w tank
expect_ok zpool status -v tank
expect_match "$LAST_STDOUT" '^  scan: scrub repaired 0B? .* with 0 errors'
expect_ok zpool export tank
expect_ok zpool import -d "$disks" tank
for i in 1 2 3 4; do
	cmp "$TEST_TMP/ref/other$i" "$mnt/tank/fs/other$i" || fail "other$i after deleting victim"
done
expect_ok zpool export tank
exit 0
