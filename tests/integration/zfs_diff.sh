#!/bin/bash
# zfs_diff.sh - zfs diff through a mounted file system: added, removed, modified, chmod-ed and
# renamed files, directories whose entries changed, -F -H -t, and the errors.
source "$(dirname "$0")/lib.sh"

use_pool_daemon

truncate -s 256M "$BASALT_ROOT/d1.img"
mnt=$BASALT_ROOT/mnt
expect_ok zpool create -m "$mnt/tank" tank "$BASALT_ROOT/d1.img"
expect_ok zfs create tank/fs
fs=$mnt/tank/fs
mkdir "$fs/a" "$fs/b"
echo keep >"$fs/a/keep"
echo mod >"$fs/a/mod"
echo chmod >"$fs/a/chmod"
echo mv >"$fs/a/mv"
echo gone >"$fs/b/gone"
expect_ok zfs snapshot tank/fs@s1

echo changed >>"$fs/a/mod"
chmod 600 "$fs/a/chmod"
mv "$fs/a/mv" "$fs/b/moved"
rm "$fs/b/gone"
echo new >"$fs/a/new"

# against the live file system
expect_ok zfs diff tank/fs@s1
out=$LAST_STDOUT
for line in "M	$fs/a/mod" "M	$fs/a/chmod" "R	$fs/a/mv -> $fs/b/moved" "-	$fs/b/gone" \
	"+	$fs/a/new" "M	$fs/a" "M	$fs/b"; do
	grep -qxF -- "$line" <<<"$out" || fail "zfs diff lacks '$line': $out"
done
grep -q keep <<<"$out" && fail "an unchanged file is listed: $out"

# -H: tab between the names of a rename; -F: the type column; -t: the change time first
expect_ok zfs diff -H tank/fs@s1 tank/fs
grep -qxF -- "R	$fs/a/mv	$fs/b/moved" <<<"$LAST_STDOUT" || fail "zfs diff -H: $LAST_STDOUT"
expect_ok zfs diff -F tank/fs@s1
grep -qxF -- "+	F	$fs/a/new" <<<"$LAST_STDOUT" || fail "zfs diff -F: $LAST_STDOUT"
grep -qxF -- "M	/	$fs/a" <<<"$LAST_STDOUT" || fail "zfs diff -F of a directory: $LAST_STDOUT"
expect_ok zfs diff -t tank/fs@s1
expect_match "$LAST_STDOUT" "^ *[0-9]+\.[0-9]{9}	\+	$fs/a/new$"

# snapshot to snapshot gives the same as against the file system then
expect_ok zfs snapshot tank/fs@s2
expect_ok zfs diff tank/fs@s1 tank/fs@s2
[ "$LAST_STDOUT" = "$out" ] || fail "s1 -> s2 differs from s1 -> fs: $LAST_STDOUT"
expect_ok zfs diff tank/fs@s2
[ -z "$LAST_STDOUT" ] || fail "nothing changed after s2, yet: $LAST_STDOUT"

# errors
expect_fail zfs diff tank/fs@s2 tank/fs@s1
expect_match "$LAST_STDERR" 'not an earlier snapshot'
expect_ok zfs create tank/other
expect_ok zfs snapshot tank/other@o
expect_fail zfs diff tank/fs@s1 tank/other@o
expect_match "$LAST_STDERR" 'not related'
expect_fail zfs diff tank/fs@nosuch
expect_fail zfs diff tank/fs
expect_ok zfs create -V 1M tank/vol
expect_ok zfs snapshot tank/vol@v
expect_fail zfs diff tank/vol@v
expect_match "$LAST_STDERR" 'not a file system'
expect_fail zfs diff
[ "$LAST_STATUS" -eq 2 ] || fail "zfs diff without operands exited $LAST_STATUS"
exit 0
