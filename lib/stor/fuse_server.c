/* SPDX-License-Identifier: MIT */
/*
 * fuse_server.c - one FUSE file system served by a thread of its own: mount it, serve it, and
 * stop it for sure. Stopping unmounts (detaching when forced), then cuts the connection through
 * fusectl, so that the serving thread ends even when files are still open or the mount lives on
 * in another mount namespace, and joins the thread.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <basalt/base.h>

#include "fuse_server.h"

#define FUSECTL_DIR "/sys/fs/fuse/connections"

static void *serve(void *arg)
{
	(void)fuse_session_loop(arg);
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
	memset(s, 0, sizeof(*s));
}

int fuse_server_start(struct fuse_server *s, const char *mountpoint, const char *options,
		      const struct fuse_lowlevel_ops *ops, size_t opsize, void *userdata,
		      const char *what)
{
	char *argv[] = { (char *)"basalt", (char *)"-o", (char *)options, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct stat st;
	sigset_t all, old;
	int r;

	memset(s, 0, sizeof(*s));
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
	/* the serving thread takes no signals: they belong to the daemon's own threads */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = -pthread_create(&s->thread, NULL, serve, s->se);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		fuse_session_unmount(s->se);
		server_clear(s);
		return bs_error(-r, "cannot start the thread serving %s", what);
	}
	s->thread_started = true;
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
	if (s->thread_started)
		pthread_join(s->thread, NULL);
	fuse_session_unmount(s->se);
	server_clear(s);
	return 0;
}
