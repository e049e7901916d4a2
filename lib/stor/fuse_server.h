/* SPDX-License-Identifier: MIT */
/*
 * fuse_server.h - one FUSE file system served by a thread of its own, for the POSIX mounts and
 * the volume files alike.
 */
#ifndef STOR_FUSE_SERVER_H
#define STOR_FUSE_SERVER_H

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

struct fuse_server {
	struct fuse_session *se;
	char *mountpoint;
	pthread_t thread;
	bool thread_started;
	dev_t dev; /* of the mounted file system: names its FUSE connection */
};

/*
 * Mount at mountpoint (which must exist) with the given -o options and serve it from a thread
 * that takes no signals. what names the file system in error messages. On failure nothing is
 * left mounted and *s is empty.
 */
int fuse_server_start(struct fuse_server *s, const char *mountpoint, const char *options,
		      const struct fuse_lowlevel_ops *ops, size_t opsize, void *userdata,
		      const char *what);
/*
 * Unmount and stop serving. Without force a busy mount is an error (-EBUSY, nothing changed);
 * with force it is detached. Either way the connection is then cut through fusectl, so that the
 * serving thread ends even while files are open, and the thread is joined.
 */
int fuse_server_stop(struct fuse_server *s, bool force);

#endif
