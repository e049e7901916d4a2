#!/bin/bash
# stor_acl.sh - POSIX ACLs on a mounted dataset, as on a local file system: setfacl grants a
# named user access the mode bits deny, chmod narrows the mask, a directory's default ACL is
# inherited (narrowed by the create mode, and by a directory as its own default), the umask
# applies only where no default ACL does, setfacl -b returns to plain modes; ACLs survive an
# export and import, show in snapshots and travel in send streams; malformed lists are refused.
source "$(dirname "$0")/lib.sh"

use_pool_daemon
command -v setfacl >/dev/null && command -v getfacl >/dev/null || skip "no setfacl/getfacl (acl)"
command -v setpriv >/dev/null || skip "no setpriv"

truncate -s 256M "$BASALT_ROOT/d1.img"
mnt=$BASALT_ROOT/mnt
expect_ok zpool create -m "$mnt" tank "$BASALT_ROOT/d1.img"
expect_ok zfs create tank/fs
d=$mnt/fs
chmod 0755 "$BASALT_ROOT" "$mnt" "$d" # (nobody walks the path)
cd "$d" || fail "cannot enter $d"
at_exit 'cd /'

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
acl_of() {
	getfacl -c -p "$1" 2>/dev/null | grep -v '^$'
}

# a named user gets what the mode bits deny
echo data >f
chmod 640 f
as_nobody sh -c "echo no >>'$d/f'" 2>/dev/null && fail "nobody wrote a 0640 root file"
setfacl -m u:nobody:rw f || fail "setfacl -m failed"
expect_match "$(acl_of f)" '^user:nobody:rw-$'
expect_match "$(acl_of f)" '^mask::rw-$'
[ "$(stat -c %a f)" = 660 ] || fail "the group bits do not show the mask: $(stat -c %a f)"
as_nobody sh -c "echo yes >>'$d/f'" || fail "nobody could not write through its ACL entry"

# chmod narrows the mask, and the entry with it
chmod 600 f
expect_match "$(acl_of f)" '^mask::---$'
as_nobody sh -c "echo no >>'$d/f'" 2>/dev/null && fail "nobody wrote past a --- mask"

# default ACLs are inherited, narrowed by the create mode
mkdir dd
setfacl -d -m u:nobody:rwx,g::r-x,o::r-x dd || fail "setfacl -d failed"
umask 077 # (ignored under a default ACL)
touch dd/file
mkdir dd/sub
umask 022
expect_match "$(acl_of dd/file)" '^user:nobody:rwx[[:space:]]+#effective:rw-$'
[ "$(stat -c %a dd/file)" = 664 ] || fail "dd/file is $(stat -c %a dd/file), not 664"
expect_match "$(acl_of dd/sub)" '^default:user:nobody:rwx$'
expect_match "$(acl_of dd/sub)" '^user:nobody:rwx$'
as_nobody sh -c "echo in >'$d/dd/sub/byacl'" || fail "nobody could not create through the default"
# no default ACL: the umask applies
umask 027
touch plain
umask 022
[ "$(stat -c %a plain)" = 640 ] || fail "the umask was not applied: $(stat -c %a plain)"
[ -z "$(getfacl -c -s plain 2>/dev/null)" ] || fail "a plain file shows an ACL"

# kept across an export and import, in snapshots, and through send/receive
expect_ok zfs snapshot tank/fs@acl
cd / || fail "cannot leave $d"
expect_ok zpool export tank
expect_ok zpool import -d "$BASALT_ROOT" tank
expect_match "$(acl_of "$d/dd/file")" '^user:nobody:rwx'
expect_match "$(acl_of "$d/.zfs/snapshot/acl/dd/sub")" '^default:user:nobody:rwx$'
zfs send tank/fs@acl | zfs receive tank/copy || fail "send | receive failed"
expect_match "$(acl_of "$mnt/copy/dd/file")" '^user:nobody:rwx'
expect_match "$(acl_of "$mnt/copy/f")" '^mask::---$'
[ "$(stat -c %a "$mnt/copy/f")" = 600 ] || fail "the received f is $(stat -c %a "$mnt/copy/f")"

# setfacl -b: plain modes again
setfacl -b "$d/f" || fail "setfacl -b failed"
[ -z "$(getfacl -c -s "$d/f" 2>/dev/null)" ] || fail "setfacl -b left an ACL"
# a malformed list, straight through setxattr, is refused
python3 - "$d/f" <<'PY' || fail "a malformed ACL was accepted"
import errno, os, sys
try:
    os.setxattr(sys.argv[1], "system.posix_acl_access", b"\x02\x00\x00\x00\x01\x00")
except OSError as e:
    sys.exit(0 if e.errno == errno.EINVAL else 1)
sys.exit(1)
PY
exit 0
