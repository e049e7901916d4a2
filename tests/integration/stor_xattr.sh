#!/bin/bash
# stor_xattr.sh - extended attributes on a mounted file system, through the kernel: setfattr
# and getfattr in the user., trusted. and security. namespaces, a 64 KiB value, the flags'
# errors, file capabilities dropped by writes, truncates and chown, cp -a keeping them, a
# snapshot showing them read-only under .zfs/snapshot, xattr=off, and the space of big values
# given back when their files are deleted.
source "$(dirname "$0")/lib.sh"

use_pool_daemon
command -v setfattr >/dev/null && command -v getfattr >/dev/null ||
	skip "setfattr/getfattr are not installed (Debian package attr; run scripts/setup)"

truncate -s 256M "$BASALT_ROOT/d1.img"
mnt=$BASALT_ROOT/mnt
expect_ok zpool create -m "$mnt/tank" tank "$BASALT_ROOT/d1.img"
expect_ok zfs create tank/fs
fs=$mnt/tank/fs

# set, get, list, remove
echo data >"$fs/f"
setfattr -n user.color -v blue "$fs/f" || fail "setfattr user.color"
setfattr -n trusted.t -v secret "$fs/f" || fail "setfattr trusted.t"
setfattr -n security.s -v sec "$fs/f" || fail "setfattr security.s"
[ "$(getfattr --only-values -n user.color "$fs/f")" = blue ] || fail "getfattr user.color"
[ "$(getfattr --only-values -n trusted.t "$fs/f")" = secret ] || fail "getfattr trusted.t"
getfattr -d -m - "$fs/f" >"$TEST_TMP/list" || fail "getfattr -d"
for n in user.color trusted.t security.s; do
	grep -q "^$n=" "$TEST_TMP/list" || fail "getfattr -d lacks $n: $(cat "$TEST_TMP/list")"
done
setfattr -x user.color "$fs/f" || fail "setfattr -x user.color"
if getfattr -n user.color "$fs/f" 2>"$TEST_TMP/err"; then
	fail "user.color still there after removal"
fi
grep -q "No such attribute" "$TEST_TMP/err" || fail "getfattr of a removed name: $(cat "$TEST_TMP/err")"
if setfattr -x user.color "$fs/f" 2>/dev/null; then
	fail "removing a missing attribute succeeded"
fi
if setfattr -n other.x -v 1 "$fs/f" 2>"$TEST_TMP/err"; then
	fail "an attribute outside the supported namespaces was set"
fi
grep -q "Operation not supported" "$TEST_TMP/err" || fail "other.x said: $(cat "$TEST_TMP/err")"

# the flags, through python's os.setxattr
python3 - "$fs/f" <<'PY' || fail "setxattr flags"
import errno, os, sys
p = sys.argv[1]
os.setxattr(p, "user.k", b"1", os.XATTR_CREATE)
try:
    os.setxattr(p, "user.k", b"2", os.XATTR_CREATE)
    sys.exit("XATTR_CREATE of an existing name succeeded")
except OSError as e:
    assert e.errno == errno.EEXIST, e
try:
    os.setxattr(p, "user.absent", b"2", os.XATTR_REPLACE)
    sys.exit("XATTR_REPLACE of a missing name succeeded")
except OSError as e:
    assert e.errno == errno.ENODATA, e
os.setxattr(p, "user.k", b"3", os.XATTR_REPLACE)
assert os.getxattr(p, "user.k") == b"3"
try:
    os.setxattr(p, "user." + "n" * 251, b"x")
    sys.exit("a 256-byte name was accepted")
except OSError as e:
    assert e.errno == errno.ERANGE, e
os.setxattr(p, "user." + "n" * 250, b"x")
PY

# file capabilities (security.capability) go with a write (through the page cache and direct),
# a truncate and a chown, as on any Linux file system; chmod and other attributes keep them
cap=0sAQAAAgAgAAAAAAAAAAAAAAAAAAA= # cap_net_raw+ep, version 2
has_cap() { getfattr -n security.capability "$fs/c" >/dev/null 2>&1; }
echo data >"$fs/c"
for op in 'echo z >>"$1"' 'exec 3<>"$1"; echo q >&3' 'truncate -s 1 "$1"' 'chown 2:2 "$1"' \
	'echo z >"$1"'; do
	setfattr -n security.capability -v "$cap" "$fs/c" || fail "setfattr security.capability"
	setfattr -n user.other -v kept "$fs/c"
	has_cap || fail "security.capability not set"
	sh -c "$op" sh "$fs/c" || fail "'$op' failed"
	! has_cap || fail "security.capability survived '$op'"
	[ "$(getfattr --only-values -n user.other "$fs/c")" = kept ] ||
		fail "'$op' lost another attribute"
done
setfattr -n security.capability -v "$cap" "$fs/c"
chmod 700 "$fs/c"
has_cap || fail "chmod dropped security.capability"
rm "$fs/c"

# a 64 KiB value, and ctime moves
head -c 65536 /dev/urandom >"$TEST_TMP/big"
c0=$(stat -c %Z.%z "$fs/f")
sleep 1
python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.big", open(sys.argv[2], "rb").read())' \
	"$fs/f" "$TEST_TMP/big" || fail "setxattr of 64 KiB"
[ "$(stat -c %Z.%z "$fs/f")" != "$c0" ] || fail "setxattr left ctime alone"
python3 -c 'import os,sys; sys.stdout.buffer.write(os.getxattr(sys.argv[1], "user.big"))' \
	"$fs/f" >"$TEST_TMP/big.back" || fail "getxattr of 64 KiB"
cmp -s "$TEST_TMP/big" "$TEST_TMP/big.back" || fail "the 64 KiB value read back differs"

# cp -a keeps them
mkdir "$fs/d"
setfattr -n user.dir -v yes "$fs/d"
cp -a "$fs/f" "$fs/f.copy" || fail "cp -a"
cp -a "$fs/d" "$fs/d.copy" || fail "cp -a of a directory"
[ "$(getfattr --only-values -n user.k "$fs/f.copy")" = 3 ] || fail "cp -a lost user.k"
[ "$(getfattr --only-values -n user.dir "$fs/d.copy")" = yes ] || fail "cp -a lost user.dir"
python3 -c 'import os,sys; sys.stdout.buffer.write(os.getxattr(sys.argv[1], "user.big"))' \
	"$fs/f.copy" | cmp -s - "$TEST_TMP/big" || fail "cp -a changed the 64 KiB value"

# a snapshot shows them, read-only
expect_ok zfs snapshot tank/fs@s1
setfattr -n user.after -v 1 "$fs/f"
snap=$fs/.zfs/snapshot/s1
[ "$(getfattr --only-values -n user.k "$snap/f")" = 3 ] || fail "the snapshot's user.k"
getfattr -d "$snap/f" >"$TEST_TMP/slist" || fail "getfattr -d in the snapshot"
grep -q "^user.after=" "$TEST_TMP/slist" && fail "the snapshot shows an attribute set after it"
if setfattr -n user.new -v 1 "$snap/f" 2>"$TEST_TMP/err"; then
	fail "setfattr in a snapshot succeeded"
fi
grep -q "Read-only file system" "$TEST_TMP/err" || fail "setfattr in a snapshot: $(cat "$TEST_TMP/err")"
if setfattr -x user.k "$snap/f" 2>"$TEST_TMP/err"; then
	fail "setfattr -x in a snapshot succeeded"
fi
grep -q "Read-only file system" "$TEST_TMP/err" || fail "setfattr -x in a snapshot: $(cat "$TEST_TMP/err")"

# xattr=off
expect_ok zfs set xattr=off tank/fs
if getfattr -n user.k "$fs/f" 2>"$TEST_TMP/err"; then
	fail "getfattr with xattr=off succeeded"
fi
grep -q "Operation not supported" "$TEST_TMP/err" || fail "xattr=off said: $(cat "$TEST_TMP/err")"
expect_ok zfs set xattr=on tank/fs
[ "$(getfattr --only-values -n user.k "$fs/f")" = 3 ] || fail "user.k after xattr=on"

# the space of big values comes back when their files go
expect_ok zfs destroy tank/fs@s1
expect_ok zpool sync tank
expect_ok zpool sync tank
expect_ok zfs list -Hp -o used tank/fs
before=$LAST_STDOUT
for i in $(seq 1 20); do
	: >"$fs/b$i"
	for j in 1 2 3 4; do
		python3 -c 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], os.urandom(65536))' \
			"$fs/b$i" "user.v$j"
	done
done
expect_ok zpool sync tank
expect_ok zfs list -Hp -o used tank/fs
grown=$LAST_STDOUT
[ "$grown" -gt $((before + 4 * 1024 * 1024)) ] || fail "80 values of 64 KiB took $before -> $grown"
rm -f "$fs"/b*
for _ in 1 2 3; do
	expect_ok zpool sync tank
done
expect_ok zfs list -Hp -o used tank/fs
[ "$LAST_STDOUT" -le $((before + 64 * 1024)) ] ||
	fail "deleting the files left their attributes' space: $before -> $grown -> $LAST_STDOUT"
