#!/bin/bash
# stor_posix.sh - POSIX semantics of a mounted dataset, checked through the mount as a user sees
# them: setuid/setgid cleared by chown and by writes of others, chmod and chown refused to
# non-owners, sticky directories, setgid directories, special files, hard links, unlink and
# rename corner cases, utimensat (UTIME_NOW, UTIME_OMIT, nanoseconds, times past 2038 and before
# 1970), ENAMETOOLONG and open flags. Non-root steps run as nobody through setpriv; syscalls
# that shell tools do not reach (utimensat, renameat2) go through python3.
source "$(dirname "$0")/lib.sh"

use_pool_daemon
command -v setpriv >/dev/null || skip "no setpriv to act as another user"
PY=$(command -v python3) || skip "no python3 for utimensat and renameat2"

truncate -s 256M "$TEST_TMP/d1.img"
mnt=$BASALT_ROOT/mnt
expect_ok zpool create -m "$mnt/tank" tank "$TEST_TMP/d1.img"
expect_ok zfs create tank/p
d=$mnt/tank/p
mountpoint -q "$d" || fail "tank/p is not mounted"
chmod 0777 "$d"
cd "$d" || fail "cannot enter $d"
at_exit 'cd /' # leave the mount before the daemon unmounts it

# as_nobody CMD...: run CMD as uid/gid 65534 with no supplementary groups
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}

mode() {
	stat -c %a "$1"
}

# ---- chmod and chown ----
touch f1
as_nobody chmod 0777 f1 2>/dev/null && fail "nobody changed the mode of root's file"
as_nobody chown 65534 f1 2>/dev/null && fail "nobody took root's file"
chmod 06755 f1
chown 65534:65534 f1
[ "$(stat -c %u:%g f1)" = 65534:65534 ] || fail "chown gave $(stat -c %u:%g f1)"
[ "$(mode f1)" = 755 ] || fail "chown left setuid/setgid: $(mode f1)"
# setgid without group execute is a mandatory-locking mark: chown keeps it
chmod 02644 f1
chown 0:0 f1
[ "$(mode f1)" = 2644 ] || fail "chown cleared setgid without group execute: $(mode f1)"
# an owner outside the file's group cannot set setgid: the bit is dropped
chown 65534:0 f1
as_nobody chmod 02755 f1 || fail "the owner could not chmod its own file"
[ "$(mode f1)" = 755 ] || fail "an owner outside the group set setgid: $(mode f1)"
as_nobody chown 65534:0 f1 || fail "chown to the same owner and group"
as_nobody chgrp 65534 f1 || fail "the owner could not give its file to its own group"
as_nobody chgrp 0 f1 2>/dev/null && fail "the owner gave its file to a group it is not in"
# the owner's own chown clears setuid and setgid as well
chmod 06755 f1
as_nobody chown 65534:65534 f1 || fail "the owner's chown to itself failed"
[ "$(mode f1)" = 755 ] || fail "the owner's chown left setuid/setgid: $(mode f1)"
rm f1

# ---- writes (direct and cached), truncates and fallocate by others clear setuid and setgid;
# root's do not ----
for bits in 04777 02777 06777; do
	rm -f w
	touch w
	chmod "$bits" w
	as_nobody sh -c 'echo x >>w' || fail "nobody could not write a mode $bits file"
	[ "$(mode w)" = 777 ] || fail "a write by nobody left mode $(mode w) on a $bits file"
	chmod "$bits" w
	as_nobody sh -c 'exec 3<>w; echo x >&3' || fail "nobody could not write a $bits file (rw)"
	[ "$(mode w)" = 777 ] || fail "a cached write by nobody left mode $(mode w) on a $bits file"
	chmod "$bits" w
	as_nobody truncate -s 0 w || fail "nobody could not truncate a mode $bits file"
	[ "$(mode w)" = 777 ] || fail "a truncate by nobody left mode $(mode w) on a $bits file"
	chmod "$bits" w
	as_nobody fallocate -l 8192 w || fail "nobody could not fallocate a mode $bits file"
	[ "$(mode w)" = 777 ] || fail "a fallocate by nobody left mode $(mode w) on a $bits file"
	chmod "$bits" w
	echo y >>w
	sh -c 'exec 3<>w; echo y >&3'
	fallocate -l 16384 w
	[ "$(mode w)" = "${bits#0}" ] || fail "root's write or fallocate cleared bits of a $bits file"
done
rm w

# ---- sticky directories ----
mkdir -m 1777 sticky
touch sticky/roots
as_nobody touch sticky/mine || fail "nobody could not create in a sticky directory"
as_nobody rm -f sticky/roots 2>/dev/null || true
[ -e sticky/roots ] || fail "nobody removed root's file from a sticky directory"
as_nobody mv sticky/roots sticky/moved 2>/dev/null || true
[ -e sticky/roots ] || fail "nobody renamed root's file in a sticky directory"
as_nobody mv sticky/mine sticky/mine2 || fail "nobody could not rename its own file"
as_nobody rm sticky/mine2 || fail "nobody could not remove its own file"
rm sticky/roots
rmdir sticky

# ---- setgid directories ----
mkdir sg
chown 0:65534 sg
chmod 02777 sg
touch sg/f
mkdir sg/sub
[ "$(stat -c %g sg/f)" = 65534 ] || fail "a file in a setgid directory did not take its group"
[ "$(stat -c %g sg/sub)" = 65534 ] || fail "a subdirectory did not take the group"
[ "$(mode sg/sub)" = 2755 ] || fail "a subdirectory did not inherit setgid: $(mode sg/sub)"
rm -r sg

# ---- special files ----
mkfifo fifo
[ "$(stat -c %F fifo)" = fifo ] || fail "mkfifo made a $(stat -c %F fifo)"
mknod chr c 300 70000
[ "$(stat -c '%F %t %T' chr)" = "character special file 12c 11170" ] ||
	fail "char device: $(stat -c '%F %t %T' chr)"
mknod blk b 8 1
[ "$(stat -c '%F %t %T' blk)" = "block special file 8 1" ] ||
	fail "block device: $(stat -c '%F %t %T' blk)"
as_nobody mknod nchr c 1 3 2>/dev/null && fail "nobody made a device node"
as_nobody mkfifo nfifo || fail "nobody could not make a fifo"
[ "$(stat -c %U nfifo)" = nobody ] || fail "nobody's fifo belongs to $(stat -c %U nfifo)"
rm fifo chr blk nfifo

# ---- the checks that need syscalls: python3 reports each failure on a line of its own ----
"$PY" - <<'EOF' >"$TEST_TMP/py.out" 2>&1 || fail "python checks: $(cat "$TEST_TMP/py.out")"
import ctypes, errno, os, stat, sys, time

libc = ctypes.CDLL(None, use_errno=True)
bad = []


def check(cond, what):
    if not cond:
        bad.append(what)


def err(fn, *args):
    try:
        fn(*args)
    except OSError as e:
        return e.errno
    return 0


class timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2
AT_FDCWD = -100
AT_SYMLINK_NOFOLLOW = 0x100


def utimensat(path, a, m, flags=0):
    ts = (timespec * 2)(timespec(*a), timespec(*m))
    if libc.utimensat(AT_FDCWD, path.encode(), ts, flags) < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), path)


RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT = 1, 2, 4


def renameat2(a, b, flags):
    if libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), flags) < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), a)


def ns(st):
    return (st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns)


# utimensat: nanoseconds, far future, before the epoch, UTIME_NOW and UTIME_OMIT
open("t", "w").close()
for a, m in [((1, 123456789), (2, 999999999)), ((4102444800, 1), (2**33, 500)),
             ((-1000000000, 7), (-1, 999999999))]:
    utimensat("t", a, m)
    st = os.stat("t")
    check(st.st_atime_ns == a[0] * 10**9 + a[1], "atime %r read back as %d" % (a, st.st_atime_ns))
    check(st.st_mtime_ns == m[0] * 10**9 + m[1], "mtime %r read back as %d" % (m, st.st_mtime_ns))
utimensat("t", (5, 5), (6, 6))
before = os.stat("t")
time.sleep(0.01)
utimensat("t", (0, UTIME_NOW), (0, UTIME_OMIT))
st = os.stat("t")
check(st.st_mtime_ns == 6 * 10**9 + 6, "UTIME_OMIT changed mtime")
check(st.st_atime_ns > before.st_ctime_ns, "UTIME_NOW did not set atime to now")
check(st.st_ctime_ns > before.st_ctime_ns, "utimensat did not change ctime")
utimensat("t", (0, UTIME_OMIT), (0, UTIME_NOW))
st2 = os.stat("t")
check(st2.st_atime_ns == st.st_atime_ns, "UTIME_OMIT changed atime")
check(st2.st_mtime_ns >= st.st_atime_ns, "UTIME_NOW did not set mtime to now")
before = os.stat("t")
utimensat("t", (0, UTIME_OMIT), (0, UTIME_OMIT))
check(ns(os.stat("t")) == ns(before), "utimensat with both UTIME_OMIT changed times")
os.symlink("t", "tl")
utimensat("tl", (7, 7), (8, 8), AT_SYMLINK_NOFOLLOW)
check(os.lstat("tl").st_mtime_ns == 8 * 10**9 + 8, "utimensat did not set a symlink's times")
check(os.stat("t").st_mtime_ns != 8 * 10**9 + 8, "AT_SYMLINK_NOFOLLOW followed the link")
os.unlink("tl")
os.chmod("t", 0o666)
pid = os.fork()
if pid == 0:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
    # not the owner: only UTIME_NOW for both is allowed, given write access
    code = 0
    try:
        utimensat("t", (0, UTIME_NOW), (0, UTIME_NOW))
    except OSError:
        code |= 1
    try:
        utimensat("t", (1, 0), (1, 0))
        code |= 2
    except OSError as e:
        code |= 0 if e.errno == errno.EPERM else 4
    os._exit(code)
_, status = os.waitpid(pid, 0)
check(os.waitstatus_to_exitcode(status) == 0,
      "utimensat by a writer who is not the owner: code %d" % os.waitstatus_to_exitcode(status))
os.unlink("t")

# reading a directory marks its atime (relatime: atime was before mtime)
os.mkdir("rd")
open("rd/x", "w").close()
utimensat("rd", (1, 0), (2, 0))
os.listdir("rd")
check(os.stat("rd").st_atime_ns > 2 * 10**9, "readdir did not mark the directory's atime")
os.unlink("rd/x")
os.rmdir("rd")

# names and paths that are too long
n255, n256 = "n" * 255, "n" * 256
open(n255, "w").close()
check(os.path.exists(n255), "a 255-byte name does not exist after creation")
check(os.listdir(".").count(n255) == 1, "a 255-byte name is not listed")
for what, fn, args in [("create", lambda p: open(p, "w"), (n256,)),
                       ("mkdir", os.mkdir, (n256,)),
                       ("stat", os.stat, (n256,)),
                       ("symlink", os.symlink, ("x", n256)),
                       ("link", os.link, (n255, n256)),
                       ("rename", os.rename, (n255, n256)),
                       ("unlink", os.unlink, (n256,))]:
    e = err(fn, *args)
    check(e == errno.ENAMETOOLONG, "%s of a 256-byte name: %s" % (what, errno.errorcode.get(e, e)))
os.unlink(n255)
deep = "/".join(["d" * 200] * 21)
e = err(os.stat, deep)
check(e == errno.ENAMETOOLONG, "stat of a 4220-byte path: %s" % errno.errorcode.get(e, e))
os.symlink("l" * 4095, "longlink")
check(os.readlink("longlink") == "l" * 4095, "a 4095-byte symlink target changed")
os.unlink("longlink")

# open flags
open("o", "w").close()
e = err(os.open, "o", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
check(e == errno.EEXIST, "O_EXCL on an existing file: %s" % errno.errorcode.get(e, e))
os.symlink("nowhere", "dangling")
e = err(os.open, "dangling", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
check(e == errno.EEXIST, "O_EXCL on a dangling symlink: %s" % errno.errorcode.get(e, e))
check(not os.path.exists("nowhere"), "O_EXCL followed a dangling symlink")
e = err(os.open, "dangling", os.O_RDONLY | os.O_NOFOLLOW)
check(e == errno.ELOOP, "O_NOFOLLOW on a symlink: %s" % errno.errorcode.get(e, e))
os.unlink("dangling")
e = err(os.open, "o", os.O_RDONLY | os.O_DIRECTORY)
check(e == errno.ENOTDIR, "O_DIRECTORY on a file: %s" % errno.errorcode.get(e, e))
os.mkdir("od")
e = err(os.open, "od", os.O_WRONLY)
check(e == errno.EISDIR, "a directory opened for writing: %s" % errno.errorcode.get(e, e))
os.rmdir("od")
with open("o", "wb") as f:
    f.write(b"0123456789")
utimensat("o", (1, 0), (1, 0))
fd = os.open("o", os.O_WRONLY | os.O_TRUNC)
os.close(fd)
st = os.stat("o")
check(st.st_size == 0, "O_TRUNC left %d bytes" % st.st_size)
check(st.st_mtime_ns > 10**9, "O_TRUNC did not update mtime")
utimensat("o", (1, 0), (1, 0))
os.close(os.open("o", os.O_WRONLY | os.O_TRUNC))
check(os.stat("o").st_mtime_ns > 10**9, "O_TRUNC of an empty file did not update mtime")
with open("o", "wb") as f:
    f.write(b"12345")
utimensat("o", (1, 0), (1, 0))
fd = os.open("o", os.O_WRONLY)
os.ftruncate(fd, 5)
os.close(fd)
check(os.stat("o").st_mtime_ns > 10**9, "ftruncate to the same size did not update mtime")
os.truncate("o", 0)
# O_APPEND writes land at the end whatever the offset; a plain writer overwrites in place
fd = os.open("o", os.O_WRONLY | os.O_APPEND)
fd2 = os.open("o", os.O_WRONLY)
os.write(fd2, b"abc")
os.lseek(fd, 0, os.SEEK_SET)
os.write(fd, b"XY")
os.write(fd2, b"d")
os.lseek(fd, 0, os.SEEK_SET)
os.write(fd, b"Z")
os.close(fd)
os.close(fd2)
data = open("o", "rb").read()
check(data == b"abcdYZ", "O_APPEND writes gave %r" % data)
os.unlink("o")

# hard links and unlink
with open("h", "w") as f:
    f.write("data")
os.link("h", "h2")
check(os.stat("h").st_nlink == 2, "link count after link: %d" % os.stat("h").st_nlink)
os.mkdir("hd")
e = err(os.link, "hd", "hd2")
check(e == errno.EPERM, "link to a directory: %s" % errno.errorcode.get(e, e))
os.rename("h", "h2")  # two names of one file: nothing happens
check(os.path.exists("h") and os.path.exists("h2"), "rename onto another link removed a name")
check(os.stat("h").st_nlink == 2, "rename onto another link changed nlink")
fd = os.open("h", os.O_RDONLY)
os.unlink("h")
os.unlink("h2")
check(os.fstat(fd).st_nlink == 0, "an unlinked open file has nlink %d" % os.fstat(fd).st_nlink)
check(os.read(fd, 10) == b"data", "an unlinked open file lost its data")
os.close(fd)
e = err(os.unlink, "hd")
check(e == errno.EISDIR, "unlink of a directory: %s" % errno.errorcode.get(e, e))
e = err(os.rmdir, "hd/.")
check(e == errno.EINVAL, "rmdir of '.': %s" % errno.errorcode.get(e, e))

# rename
os.makedirs("hd/sub/deeper")
e = err(os.rename, "hd", "hd/sub/deeper/hd")
check(e == errno.EINVAL, "a directory moved under itself: %s" % errno.errorcode.get(e, e))
os.mkdir("full")
open("full/x", "w").close()
e = err(os.rename, "hd", "full")
check(e in (errno.ENOTEMPTY, errno.EEXIST), "rename over a non-empty directory: %s" %
      errno.errorcode.get(e, e))
open("file", "w").close()
e = err(os.rename, "file", "full")
check(e == errno.EISDIR, "a file renamed over a directory: %s" % errno.errorcode.get(e, e))
e = err(os.rename, "hd", "file")
check(e == errno.ENOTDIR, "a directory renamed over a file: %s" % errno.errorcode.get(e, e))
os.mkdir("empty")
nl = os.stat(".").st_nlink
os.rename("hd/sub", "empty")  # "." keeps as many subdirectories, hd loses one
check(os.path.isdir("empty/deeper"), "a directory renamed over an empty one lost its content")
check(os.stat(".").st_nlink == nl and os.stat("hd").st_nlink == 2,
      "parent link counts after rename: %d %d" % (os.stat(".").st_nlink, os.stat("hd").st_nlink))
e = err(renameat2, "file", "full/x", RENAME_NOREPLACE)
check(e == errno.EEXIST, "RENAME_NOREPLACE over a file: %s" % errno.errorcode.get(e, e))
with open("file", "w") as f:
    f.write("1")
with open("full/x", "w") as f:
    f.write("2")
renameat2("file", "full/x", RENAME_EXCHANGE)
check(open("file").read() == "2" and open("full/x").read() == "1", "RENAME_EXCHANGE did not swap")
renameat2("empty", "file", RENAME_EXCHANGE)
check(os.path.isdir("file") and os.path.isfile("empty"), "RENAME_EXCHANGE of a dir and a file")
check(os.path.isdir("file/deeper"), "RENAME_EXCHANGE lost a directory's content")
e = err(renameat2, "empty", "nonexistent", RENAME_EXCHANGE)
check(e == errno.ENOENT, "RENAME_EXCHANGE with a missing target: %s" % errno.errorcode.get(e, e))
e = err(renameat2, "empty", "new", RENAME_NOREPLACE | RENAME_EXCHANGE)
check(e == errno.EINVAL, "RENAME_NOREPLACE|RENAME_EXCHANGE: %s" % errno.errorcode.get(e, e))

if bad:
    print("\n".join(bad))
    sys.exit(1)
EOF

cd / || fail "cannot leave the mount"
exit 0
