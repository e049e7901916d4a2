// SPDX-License-Identifier: MIT
/*
 * client.c - the client half of the command path: connect to the pool daemon (starting it when
 * nobody serves the socket), hand it the command line and this process's stdio, and exit with
 * the status it answers. Streams such as `zfs send pool/fs@s > file` never pass through this
 * process: the daemon writes to the very descriptor the shell opened.
 *
 * Starting is serialised by an flock on run/zfsd.lock, so that two clients arriving together
 * start one daemon; the daemon itself holds an flock on run/zfsd.pid while it lives, which tells
 * a waiting client that a daemon is still coming up even if the one it started gave way.
 */
#include <basalt/base.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "client.h"

char *zfsd_path(const char *rel)
{
	return bs_root_path(rel);
}

bool cmd_client_gone(const struct cmd_io *io, int ms)
{
	struct pollfd p = { .fd = io->conn_fd, .events = POLLRDHUP };
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

char *cmd_abspath(const struct cmd_io *io, const char *path)
{
	if (path[0] == '/' || !io->cwd || !io->cwd[0])
		return bs_strdup(path);
	return bs_path_join(io->cwd, path);
}

char *cmd_line(int argc, char **argv)
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = p = bs_malloc(len);
	*p = '\0';
	for (int i = 0; i < argc; i++)
		p += sprintf(p, "%s%s", i ? " " : "", argv[i]);
	return s;
}

static int connect_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return bs_error(ENAMETOOLONG, "the socket path '%s' is too long", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return TAKE_FD(fd);
}

/* Is some daemon alive and holding the pid file's lock? */
static bool daemon_alive(const char *pidfile)
{
	_cleanup_close_ int fd = open(pidfile, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0)
		return errno == EWOULDBLOCK;
	flock(fd, LOCK_UN);
	return false;
}

/* fork + exec `basalt zfsd`, detached from this session, its output in the log. */
static int spawn_daemon(const char *logpath, pid_t *ret_pid)
{
	pid_t pid;
	int fd;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		*ret_pid = pid;
		return 0;
	}

	/* the child: only async-signal-safe calls from here to exec */
	setsid();
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT, 0640);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	close_range(3, ~0U, 0); /* the caller's other descriptors must not live on in it */
	signal(SIGPIPE, SIG_DFL);
	execl("/proc/self/exe", "basalt", "zfsd", (char *)NULL);
	_exit(127);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Connect, starting the daemon if needed. Prints its own error. */
static int daemon_connect(const char *prog)
{
	_cleanup_free_ char *sock = zfsd_path(ZFSD_SOCKET), *lockpath = zfsd_path(ZFSD_LOCK);
	_cleanup_free_ char *pidfile = zfsd_path(ZFSD_PIDFILE), *logpath = zfsd_path(ZFSD_LOG);
	_cleanup_free_ char *rundir = zfsd_path("run"), *logdir = zfsd_path("log");
	_cleanup_close_ int lock = -1;
	uint64_t deadline;
	pid_t child = 0;
	int fd, r;

	fd = connect_socket(sock);
	if (fd >= 0)
		return fd;
	if (fd == -EACCES || fd == -EPERM) {
		fprintf(stderr, "%s: permission denied on %s: only root may run %s\n", prog, sock,
			prog);
		return fd;
	}
	if (fd != -ENOENT && fd != -ECONNREFUSED) {
		fprintf(stderr, "%s: cannot connect to the pool daemon at %s: %s\n", prog, sock,
			bs_strerror(fd));
		return fd;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "%s: the pool daemon is not running, and only root may start it\n",
			prog);
		return -EPERM;
	}

	r = bs_mkdir_p(rundir, 0700);
	if (r >= 0)
		r = bs_mkdir_p(logdir, 0755);
	if (r < 0) {
		fprintf(stderr, "%s: cannot create %s: %s\n", prog, rundir, bs_strerror(r));
		return r;
	}
	lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		r = -errno;
		fprintf(stderr, "%s: cannot lock %s: %s\n", prog, lockpath, strerror(-r));
		return r;
	}

	/* another client may have started it while this one waited for the lock */
	fd = connect_socket(sock);
	if (fd >= 0)
		return fd;

	if (!daemon_alive(pidfile)) {
		r = spawn_daemon(logpath, &child);
		if (r < 0) {
			fprintf(stderr, "%s: cannot start the pool daemon: %s\n", prog,
				strerror(-r));
			return r;
		}
	}

	deadline = bs_monotonic_ns() + (uint64_t)ZFSD_START_TIMEOUT_MS * 1000000;
	for (;;) {
		fd = connect_socket(sock);
		if (fd >= 0)
			return fd;
		if (child > 0 && waitpid(child, NULL, WNOHANG) == child) {
			child = 0;
			/* it gave way to a daemon already starting; otherwise it failed */
			if (!daemon_alive(pidfile)) {
				fprintf(stderr, "%s: the pool daemon failed to start; see %s\n",
					prog, logpath);
				return -ESRCH;
			}
		}
		if (bs_monotonic_ns() > deadline)
			break;
		sleep_ms(20);
	}
	fprintf(stderr, "%s: the pool daemon did not answer within %d seconds; see %s\n", prog,
		ZFSD_START_TIMEOUT_MS / 1000, logpath);
	return -ETIMEDOUT;
}

/* The descriptor to pass for stdio fd: itself if open, else /dev/null (reads see EOF, writes
 * vanish, as they would for a closed descriptor that the command ignores). */
static int stdio_fd(int fd, int *opened)
{
	if (fcntl(fd, F_GETFD) >= 0)
		return fd;
	*opened = open("/dev/null", (fd == STDIN_FILENO ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
	return *opened;
}

void zfsd_msg_init(struct zfsd_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->iov.iov_base = &m->req;
	m->iov.iov_len = sizeof(m->req);
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->control;
	m->msg.msg_controllen = sizeof(m->control);
}

static int send_request(int sock, int argc, char **argv)
{
	_cleanup_free_ char *cwd = getcwd(NULL, 0), *payload = NULL;
	struct zfsd_msg m;
	int opened[ZFSD_NFDS] = { -1, -1, -1 }, fds[ZFSD_NFDS];
	struct cmsghdr *cm;
	size_t len, off = 0;
	ssize_t n;
	int r = 0;

	zfsd_msg_init(&m);
	m.req.magic = ZFSD_MAGIC;
	m.req.version = ZFSD_VERSION;
	m.req.argc = argc;
	len = strlen(cwd ? cwd : "/") + 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (len > ZFSD_MAX_REQUEST)
		return bs_error(E2BIG, "the command line is too long");
	payload = bs_malloc(len);
	off = stpcpy(payload, cwd ? cwd : "/") - payload + 1;
	for (int i = 0; i < argc; i++)
		off += stpcpy(payload + off, argv[i]) - (payload + off) + 1;
	m.req.len = (uint32_t)len;

	for (int i = 0; i < ZFSD_NFDS; i++) {
		fds[i] = stdio_fd(i, &opened[i]);
		if (fds[i] < 0) {
			r = -errno;
			goto out;
		}
	}
	cm = CMSG_FIRSTHDR(&m.msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));

	do
		n = sendmsg(sock, &m.msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	if ((size_t)n < sizeof(m.req))
		r = bs_write_full(sock, (char *)&m.req + n, sizeof(m.req) - n);
	if (r >= 0)
		r = bs_write_full(sock, payload, len);
out:
	for (int i = 0; i < ZFSD_NFDS; i++)
		if (opened[i] >= 0)
			close(opened[i]);
	return r;
}

int zfsd_client_run(int argc, char **argv)
{
	const char *prog = argv[0];
	_cleanup_free_ char *logpath = zfsd_path(ZFSD_LOG), *msg = NULL;
	_cleanup_close_ int sock = -1;
	struct zfsd_reply reply;
	int r;

	/* a reader that went away must not kill this process before it can report */
	signal(SIGPIPE, SIG_IGN);

	sock = daemon_connect(prog);
	if (sock < 0)
		return 1;
	r = send_request(sock, argc, argv);
	if (r < 0) {
		/* the daemon may have answered (a refusal) before it read everything */
		if (bs_read_full(sock, &reply, sizeof(reply)) >= 0 && reply.magic == ZFSD_MAGIC)
			goto answered;
		fprintf(stderr, "%s: cannot send the command to the pool daemon: %s\n", prog,
			bs_strerror(r));
		return 1;
	}
	r = bs_read_full(sock, &reply, sizeof(reply));
	if (r < 0 || reply.magic != ZFSD_MAGIC) {
		fprintf(stderr, "%s: the pool daemon exited while running the command; see %s\n",
			prog, logpath);
		return 1;
	}
answered:
	if (reply.msglen > 0 && reply.msglen < 4096) {
		msg = bs_zalloc(reply.msglen + 1);
		if (bs_read_full(sock, msg, reply.msglen) >= 0)
			fprintf(stderr, "%s\n", msg);
	}
	return reply.status;
}
