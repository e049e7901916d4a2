/* SPDX-License-Identifier: MIT */
/*
 * client.h - the command path between the `zfs`/`zpool` tools and the pool daemon, the role
 * /dev/zfs plays on illumos. The tool sends its argv, its working directory and its stdin, stdout
 * and stderr (SCM_RIGHTS) over $BASALT_ROOT/run/zfsd.sock; the daemon runs the command in a
 * thread with those descriptors and answers with the exit status. Here: the wire format, the
 * paths, the client side, and what a command run inside the daemon is given.
 */
#ifndef BASALT_CMD_CLIENT_H
#define BASALT_CMD_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

/* ---- paths under the state directory ---- */
#define ZFSD_SOCKET "run/zfsd.sock"
#define ZFSD_LOCK "run/zfsd.lock"   /* held by a client while it starts the daemon */
#define ZFSD_PIDFILE "run/zfsd.pid" /* locked by the daemon for its whole life */
#define ZFSD_LOG "log/zfsd.log"
#define ZFSD_MOUNTS "run/zfsd.mounts" /* what the daemon has mounted, for its successor */

/* How long a client waits for a daemon it started to answer. */
#define ZFSD_START_TIMEOUT_MS 10000

/* ---- the wire ----
 * request: struct zfsd_request, with the fds of stdin, stdout and stderr attached, then len
 *          bytes: the client's working directory and argc arguments, each NUL-terminated.
 * reply:   struct zfsd_reply, then msglen bytes of a message for the client to print (only when
 *          the daemon refuses the request).
 * All integers in host order: both ends are the same binary on the same host. */
#define ZFSD_MAGIC 0x7a667364u /* "zfsd" */
#define ZFSD_VERSION 1
#define ZFSD_MAX_REQUEST (1u << 20)
#define ZFSD_NFDS 3

struct zfsd_request {
	uint32_t magic;
	uint32_t version;
	uint32_t argc;
	uint32_t len;
};

/* A request header with room for the descriptors that travel with it (SCM_RIGHTS), for the
 * sendmsg(2) of the client and the recvmsg(2) of the daemon. zfsd_msg_init() zeroes it and
 * points msg at req and control; it must not be moved after. */
struct zfsd_msg {
	struct zfsd_request req;
	_Alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * ZFSD_NFDS)];
	struct iovec iov;
	struct msghdr msg;
};

void zfsd_msg_init(struct zfsd_msg *m);

struct zfsd_reply {
	uint32_t magic;
	int32_t status; /* the exit status of the command */
	uint32_t msglen;
	uint32_t pad;
};

/* ---- a command run inside the daemon ---- */
struct cmd_io {
	FILE *in, *out, *err; /* the client's stdio, buffered; the daemon flushes and closes them */
	int in_fd, out_fd, err_fd; /* the same descriptors, for streams (send, receive) */
	const char *cwd;	   /* the client's working directory, to resolve relative paths */
	uid_t uid;		   /* the client's user */
	int conn_fd;		   /* the client's connection; it hangs up when the client exits */
};

/* Run `zfs ARGS` / `zpool ARGS` for a client; argv[0] is "zfs" / "zpool". Returns the exit
 * status: 0 success, 1 failure, 2 usage error. */
int zfs_command(struct cmd_io *io, int argc, char **argv);
int zpool_command(struct cmd_io *io, int argc, char **argv);

/* Mount a file system just created (zfs create, zfs clone, zpool create) if its canmount and
 * mountpoint properties say so; already mounted is fine. Negative errno on failure. */
int zfs_mount_created(const char *name);

/* An absolute form of path, relative to the client's directory; caller frees. */
char *cmd_abspath(const struct cmd_io *io, const char *path);
/* Wait up to ms milliseconds; true as soon as the client is gone (a command that repeats, such
 * as zpool iostat with an interval, stops then). */
bool cmd_client_gone(const struct cmd_io *io, int ms);
/* The command line as typed, for the pool history; caller frees. */
char *cmd_line(int argc, char **argv);

/* ---- the client side ---- */
/* Send argv to the daemon (starting it if it is not running), let it run the command on this
 * process's stdio, and return its exit status; on failure print one line to stderr, prefixed
 * with argv[0], and return 1. */
int zfsd_client_run(int argc, char **argv);

/* The path of a file of the daemon's under the state directory; caller frees. */
char *zfsd_path(const char *rel);

#endif
