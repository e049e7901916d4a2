/* SPDX-License-Identifier: MIT */
/*
 * fuse_server.h - one FUSE file system served by threads of its own, for the POSIX mounts and
 * the volume files alike.
 */
#ifndef STOR_FUSE_SERVER_H
#define STOR_FUSE_SERVER_H

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define FUSE_SERVER_MAX_THREADS 4

/*
 * Which requests a file system serves one at a time, from the request's opcode and inode
 * number; every other request may run beside any other. NULL: all of them, one at a time.
 */
typedef bool (*fuse_server_exclusive_fn)(uint32_t opcode, uint64_t nodeid);

struct fuse_server {
	struct fuse_session *se;
	char *mountpoint;
	fuse_server_exclusive_fn exclusive;
	pthread_mutex_t exclusive_lock;
	pthread_t threads[FUSE_SERVER_MAX_THREADS];
	unsigned nthreads; /* started */
	dev_t dev;	   /* of the mounted file system: names its FUSE connection */
};

/*
 * Mount at mountpoint (which must exist) with the given -o options and serve it from nthreads
 * threads (at most FUSE_SERVER_MAX_THREADS) that take no signals; the requests exclusive()
 * names are served one at a time. While one thread sends a reply and the kernel wakes the
 * process waiting for it, another is already reading the next request. what names the file
 * system in error messages. On failure nothing is left mounted and *s is empty.
 */
int fuse_server_start(struct fuse_server *s, const char *mountpoint, const char *options,
		      const struct fuse_lowlevel_ops *ops, size_t opsize, void *userdata,
		      unsigned nthreads, fuse_server_exclusive_fn exclusive, const char *what);
/*
 * Unmount and stop serving. Without force a busy mount is an error (-EBUSY, nothing changed);
 * with force it is detached. Either way the connection is then cut through fusectl, so that the
 * serving threads end even while files are open, and the threads are joined.
 */
int fuse_server_stop(struct fuse_server *s, bool force);
/* Whether the WRITE (FUSE_WRITE_KILL_SUIDGID) or SETATTR (FATTR_KILL_SUIDGID) request the
 * calling thread is serving asks the server to clear setuid and setgid, which libfuse does not
 * pass on. */
bool fuse_server_kill_suidgid(void);
/* Called from a file system's init callback: it clears setuid, setgid and security.capability
 * itself on write, truncate and chown (FUSE_HANDLE_KILLPRIV_V2), as the kill flags above ask.
 * Returns whether the kernel offered that, and so whether it is in effect. */
bool fuse_server_handle_killpriv_v2(void);

#endif
