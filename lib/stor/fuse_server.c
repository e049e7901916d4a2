/* SPDX-License-Identifier: MIT */
/*
 * fuse_server.c - one FUSE file system served by threads of its own: mount it, serve it, and
 * stop it for sure. Stopping unmounts (detaching when forced), then cuts the connection through
 * fusectl, so that the serving threads end even when files are still open or the mount lives on
 * in another mount namespace, and joins them.
 *
 * Each thread reads a request, looks at its header, and processes it, holding the server's
 * exclusive lock for the requests the file system asks to serve one at a time. Several threads
 * pay off even with one process making requests one after the other: the kernel's wake-up of
 * that process when a reply is written costs as much as serving a small request, and a second
 * thread is already waiting for the next request meanwhile.
 *
 * Each mount's readahead is raised to the largest request (see READAHEAD_KB).
 *
 * The server talks to /dev/fuse through libfuse's custom I/O hooks (plain read and writev) for
 * one reason: FUSE_HANDLE_KILLPRIV_V2, which this libfuse (3.14) does not know. A file system
 * that clears setuid, setgid and security.capability itself on write, truncate and chown takes
 * it from its init callback (fuse_server_handle_killpriv_v2); the hook then adds the flag to the
 * INIT reply, and only when the kernel offered it. The kernel then marks the super block
 * SB_NOSEC and stops asking for security.capability (a GETXATTR round trip) before each write
 * through the page cache, and sends FUSE_WRITE_KILL_SUIDGID and FATTR_KILL_SUIDGID instead.
 */
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>

#include <basalt/base.h>

#include "fuse_server.h"

#define FUSECTL_DIR "/sys/fs/fuse/connections"
/* The kernel's readahead for a mount: a FUSE connection starts at 128 KiB, a quarter of the
 * largest request libfuse takes (1 MiB); a sequential read then costs four times the round trips
 * and reads from the pool in small pieces. */
#define READAHEAD_KB 1024

/* Of the request the thread is serving: the kill flag of a WRITE or SETATTR; for INIT, its id
 * and whether the kernel offered, and the file system took, FUSE_HANDLE_KILLPRIV_V2. */
static __thread bool kill_suidgid;
static __thread uint64_t init_unique;
static __thread bool killpriv_v2_offered, killpriv_v2_taken;

bool fuse_server_kill_suidgid(void)
{
	return kill_suidgid;
}

bool fuse_server_handle_killpriv_v2(void)
{
	killpriv_v2_taken = killpriv_v2_offered;
	return killpriv_v2_taken;
}

/* The argument of a request, copied out if the request is long enough for it. */
static bool request_arg(const struct fuse_buf *buf, void *arg, size_t n)
{
	if (buf->size < sizeof(struct fuse_in_header) + n)
		return false;
	memcpy(arg, (const char *)buf->mem + sizeof(struct fuse_in_header), n);
	return true;
}

/* One look at a request before libfuse processes it: whether it is served one at a time
 * (returned), and what its arguments say that libfuse does not pass on. */
static bool peek(struct fuse_server *s, const struct fuse_buf *buf)
{
	struct fuse_in_header h;
	struct fuse_write_in w;
	struct fuse_setattr_in sa;
	struct fuse_init_in in;

	kill_suidgid = false;
	if ((buf->flags & FUSE_BUF_IS_FD) || buf->size < sizeof(h))
		return true;
	memcpy(&h, buf->mem, sizeof(h));
	if (h.opcode == FUSE_WRITE && request_arg(buf, &w, sizeof(w)))
		kill_suidgid = w.write_flags & FUSE_WRITE_KILL_SUIDGID;
	else if (h.opcode == FUSE_SETATTR && request_arg(buf, &sa, sizeof(sa)))
		kill_suidgid = sa.valid & FATTR_KILL_SUIDGID;
	else if (h.opcode == FUSE_INIT &&
		 request_arg(buf, &in, offsetof(struct fuse_init_in, flags2))) {
		init_unique = h.unique;
		killpriv_v2_offered = in.flags & FUSE_HANDLE_KILLPRIV_V2;
		killpriv_v2_taken = false;
	}
	return !s->exclusive || s->exclusive(h.opcode, h.nodeid);
}

/* Every reply goes out here: the INIT reply gains FUSE_HANDLE_KILLPRIV_V2 when taken (libfuse
 * builds it as a header followed by struct fuse_init_out, in the thread serving the INIT). */
static ssize_t dev_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	(void)userdata;
	if (killpriv_v2_taken && count >= 2 && iov[0].iov_len == sizeof(struct fuse_out_header) &&
	    iov[1].iov_len >= offsetof(struct fuse_init_out, flags) + sizeof(uint32_t)) {
		const struct fuse_out_header *oh = iov[0].iov_base;

		if (oh->unique == init_unique && oh->error == 0) {
			((struct fuse_init_out *)iov[1].iov_base)->flags |= FUSE_HANDLE_KILLPRIV_V2;
			killpriv_v2_taken = false;
		}
	}
	return writev(fd, iov, count);
}

static ssize_t dev_read(int fd, void *buf, size_t len, void *userdata)
{
	(void)userdata;
	return read(fd, buf, len);
}

static const struct fuse_custom_io dev_io = { .writev = dev_writev, .read = dev_read };

static void *serve(void *arg)
{
	struct fuse_server *s = arg;
	struct fuse_buf buf = { .mem = NULL };

	while (!fuse_session_exited(s->se)) {
		int r = fuse_session_receive_buf(s->se, &buf);
		bool excl;

		if (r == -EINTR)
			continue;
		if (r <= 0) /* unmounted, or the connection was cut */
			break;
		excl = peek(s, &buf);
		if (excl)
			pthread_mutex_lock(&s->exclusive_lock);
		fuse_session_process_buf(s->se, &buf);
		if (excl)
			pthread_mutex_unlock(&s->exclusive_lock);
	}
	free(buf.mem);
	fuse_session_exit(s->se);
	return NULL;
}

static void abort_connection(dev_t dev)
{
	char path[96];
	int fd;

	if (!dev)
		return;
	snprintf(path, sizeof(path), FUSECTL_DIR "/%u/abort", major(dev) << 20 | minor(dev));
	if (access(FUSECTL_DIR "/", F_OK) == 0 && access(path, F_OK) < 0 && errno == ENOENT)
		(void)mount("fusectl", FUSECTL_DIR, "fusectl", 0, NULL);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)!write(fd, "1", 1);
	close(fd);
}

/* Best effort: without a writable sysfs the mount keeps the kernel's default. */
static void set_readahead(dev_t dev)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb", major(dev), minor(dev));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)!dprintf(fd, "%d", READAHEAD_KB);
	close(fd);
}

static void server_clear(struct fuse_server *s)
{
	if (s->se)
		fuse_session_destroy(s->se);
	free(s->mountpoint);
	pthread_mutex_destroy(&s->exclusive_lock);
	memset(s, 0, sizeof(*s));
}

int fuse_server_start(struct fuse_server *s, const char *mountpoint, const char *options,
		      const struct fuse_lowlevel_ops *ops, size_t opsize, void *userdata,
		      unsigned nthreads, fuse_server_exclusive_fn exclusive_fn, const char *what)
{
	char *argv[] = { (char *)"basalt", (char *)"-o", (char *)options, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct stat st;
	sigset_t all, old;
	int r;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->exclusive_lock, NULL);
	s->exclusive = exclusive_fn;
	s->mountpoint = bs_strdup(mountpoint);
	s->se = fuse_session_new(&args, ops, opsize, userdata);
	fuse_opt_free_args(&args);
	if (!s->se) {
		server_clear(s);
		return bs_error(EIO, "cannot start a FUSE session for %s", what);
	}
	if (fuse_session_mount(s->se, mountpoint) != 0) {
		server_clear(s);
		return bs_error(EIO, "cannot mount %s on '%s' through FUSE", what, mountpoint);
	}
	r = fuse_session_custom_io(s->se, &dev_io, fuse_session_fd(s->se));
	if (r != 0) {
		fuse_session_unmount(s->se);
		server_clear(s);
		return bs_error(EIO, "cannot set up the FUSE device of %s", what);
	}
	/* the serving threads take no signals: they belong to the daemon's own threads */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (r = 0; s->nthreads < MAX(1u, MIN(nthreads, FUSE_SERVER_MAX_THREADS)) && r == 0;)
		if ((r = -pthread_create(&s->threads[s->nthreads], NULL, serve, s)) == 0)
			s->nthreads++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->nthreads) {
		fuse_session_unmount(s->se);
		server_clear(s);
		return bs_error(-r, "cannot start the thread serving %s", what);
	}
	/* (answered by the serving thread, so only now) */
	if (stat(mountpoint, &st) == 0) {
		s->dev = st.st_dev;
		set_readahead(s->dev);
	}
	return 0;
}

int fuse_server_stop(struct fuse_server *s, bool force)
{
	if (!s->se)
		return 0;
	if (umount2(s->mountpoint, force ? MNT_DETACH : 0) < 0 && errno != EINVAL && !force)
		return bs_error(errno, "cannot unmount '%s': %s", s->mountpoint, strerror(errno));
	abort_connection(s->dev);
	fuse_session_exit(s->se);
	for (unsigned i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	fuse_session_unmount(s->se);
	server_clear(s);
	return 0;
}
