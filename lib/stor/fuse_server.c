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
 */
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <basalt/base.h>

#include "fuse_server.h"

#define FUSECTL_DIR "/sys/fs/fuse/connections"

static __thread uint32_t write_flags;

uint32_t fuse_server_write_flags(void)
{
	return write_flags;
}

/* One look at a request before libfuse processes it: whether it is served one at a time
 * (returned), and what a write's arguments say that libfuse does not pass on (write_flags). */
static bool peek(struct fuse_server *s, const struct fuse_buf *buf)
{
	struct fuse_in_header h;
	struct fuse_write_in w;

	write_flags = 0;
	if ((buf->flags & FUSE_BUF_IS_FD) || buf->size < sizeof(h))
		return true;
	memcpy(&h, buf->mem, sizeof(h));
	if (h.opcode == FUSE_WRITE && buf->size >= sizeof(h) + sizeof(w)) {
		memcpy(&w, (const char *)buf->mem + sizeof(h), sizeof(w));
		write_flags = w.write_flags;
	}
	return !s->exclusive || s->exclusive(h.opcode, h.nodeid);
}

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
	if (stat(mountpoint, &st) == 0)
		s->dev = st.st_dev;
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
