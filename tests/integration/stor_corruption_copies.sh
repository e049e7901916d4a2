#!/bin/bash
# stor_corruption_copies.sh - copies=2 on a single device: with one copy of every data block
# destroyed the files read back identical and a scrub repairs the bad copies, so that destroying
# the other copy of every block afterwards loses nothing either; a 16 MiB hole over file records
# and metadata (less than the distance between ditto copies) is survived as well. The same damage
# on a copies=1 dataset is an I/O error, which shows that the damage hits the data.
source "$(dirname "$0")/lib.sh"

use_pool_daemon
command -v python3 >/dev/null || skip "no python3 to locate blocks in the device"

disks=$BASALT_ROOT/disks
mnt=$BASALT_ROOT/mnt
mkdir "$disks" "$TEST_TMP/ref"
truncate -s 256M "$disks/d1.img" "$disks/c1.img"
expect_ok zpool create -m "$mnt/tank" tank "$disks/d1.img"
expect_ok zpool create -m "$mnt/ctl" ctl "$disks/c1.img"
expect_ok zfs create -o copies=2 -o compression=off -o recordsize=128K tank/c
expect_ok zfs create -o copies=1 -o compression=off -o recordsize=128K ctl/c

# four files of 1 MiB; every 128 KiB record starts with a tag naming it, then random bytes
python3 - "$TEST_TMP/ref" <<'EOF'
import os, sys
for f in range(4):
    with open(os.path.join(sys.argv[1], "file%d" % f), "wb") as out:
        for rec in range(8):
            tag = b"DITTOTEST:%d:%d:" % (f, rec)
            out.write(tag + os.urandom(128 * 1024 - len(tag)))
EOF
for f in "$TEST_TMP/ref/"*; do
	cp "$f" "$mnt/tank/c/"
	cp "$f" "$mnt/ctl/c/"
done
expect_ok zpool sync tank ctl
expect_ok zpool export tank
expect_ok zpool export ctl

# locate IMAGE: one line per tagged record, "TAG OFFSET..." with its copies' offsets, ascending
locate() {
	python3 - "$1" <<'EOF'
import re, sys
hits = {}
with open(sys.argv[1], "rb") as f:
    data = f.read()
for m in re.finditer(rb"DITTOTEST:\d+:\d+:", data):
    hits.setdefault(m.group(0).decode(), []).append(m.start())
for tag in sorted(hits):
    print(tag, *sorted(hits[tag]))
EOF
}

# zero_at IMAGE OFFSET...: zero the 128 KiB record at each offset
zero_at() {
	local img=$1 off
	shift
	for off in "$@"; do
		dd if=/dev/zero of="$img" bs=4096 seek=$((off / 4096)) count=32 conv=notrunc \
			status=none
	done
}

locate "$disks/d1.img" >"$TEST_TMP/tank.map"
locate "$disks/c1.img" >"$TEST_TMP/ctl.map"
[ "$(wc -l <"$TEST_TMP/tank.map")" -eq 32 ] || fail "not every record found: $(cat "$TEST_TMP/tank.map")"
[ "$(wc -l <"$TEST_TMP/ctl.map")" -eq 32 ] || fail "not every record found in ctl"
awk 'NF != 3 { exit 1 } $3 - $2 < 1048576 { exit 1 }' "$TEST_TMP/tank.map" ||
	fail "copies=2 did not write two copies of every record far apart: $(cat "$TEST_TMP/tank.map")"
awk 'NF != 2 { exit 1 }' "$TEST_TMP/ctl.map" ||
	fail "copies=1 wrote other than one copy: $(cat "$TEST_TMP/ctl.map")"
for o in $(awk '{ print $2 }' "$TEST_TMP/tank.map"); do
	[ "$o" -ge $((512 << 10)) ] && [ "$o" -lt $(((256 - 1) << 20)) ] ||
		fail "a record at $o, outside the data area"
done

check_files() {
	local f
	for f in "$TEST_TMP/ref/"*; do
		cmp "$f" "$mnt/tank/c/$(basename "$f")" ||
			fail "$1: $(basename "$f") does not read back identical"
	done
}

# after_damage WHAT: import, read everything, scrub; the scrub repairs and a second one is clean
after_damage() {
	local st
	expect_ok zpool import -d "$disks" tank
	check_files "with $1"
	expect_ok zpool scrub -w tank
	expect_ok zpool status -v tank
	st=$LAST_STDOUT
	grep -qE '^  scan: scrub repaired .* with 0 errors' <<<"$st" ||
		fail "the scrub with $1 found errors: $st"
	awk '$1 ~ /d1\.img$/ && $5 > 0 { found = 1 } END { exit !found }' <<<"$st" ||
		fail "no checksum errors counted on d1.img with $1: $st"
	expect_match "$st" '^errors: No known data errors$'
	expect_ok zpool scrub -w tank
	expect_ok zpool status -v tank
	grep -qE '^  scan: scrub repaired 0B? .* with 0 errors' <<<"$LAST_STDOUT" ||
		fail "a second scrub after $1: $LAST_STDOUT"
	check_files "after scrubbing $1"
	expect_ok zpool export tank
}

# the copy at the lower offset of every record, then (repaired by now) the one at the higher
zero_at "$disks/d1.img" $(awk '{ print $2 }' "$TEST_TMP/tank.map")
after_damage "the lower copy of every record zeroed"
zero_at "$disks/d1.img" $(awk '{ print $3 }' "$TEST_TMP/tank.map")
after_damage "the higher copy of every record zeroed"

# a 16 MiB hole over file records and the start of the metadata region (a sixteenth of the
# device in): ditto copies are an eighth of the device apart, so it hits one copy of each block
head -c $((16 << 20)) /dev/urandom | dd of="$disks/d1.img" bs=1M seek=2 conv=notrunc \
	iflag=fullblock status=none
after_damage "16 MiB from 2 MiB overwritten"

# the same record damage without ditto copies is an I/O error on every file
zero_at "$disks/c1.img" $(awk '{ print $2 }' "$TEST_TMP/ctl.map")
expect_ok zpool import -d "$disks" ctl
for f in "$TEST_TMP/ref/"*; do
	if cat "$mnt/ctl/c/$(basename "$f")" >/dev/null 2>"$TEST_TMP/cat.err"; then
		fail "copies=1: $(basename "$f") read although its records were destroyed"
	fi
	expect_match "$(cat "$TEST_TMP/cat.err")" 'Input/output error'
done
expect_ok zpool export ctl
exit 0
