// SPDX-License-Identifier: MIT
/*
 * zfsd.c - the pool daemon, `basalt zfsd`: the one process that opens the pools. It imports the
 * pools of the cache file (creating the embedded `zones` pool on a fresh state directory), mounts
 * their file systems, serves their volumes as files under $BASALT_ROOT/run/zvol, and runs
 * every `zfs` and `zpool` command that clients send over $BASALT_ROOT/run/zfsd.sock, each in a
 * thread of its own that writes to the client's stdio.
 * SIGTERM or SIGINT stops it cleanly: no new commands, running ones finish, file systems are
 * unmounted and the pools synced but left in the cache, so the next start finds them again.
 * `basalt zfsd --stop` asks the running daemon to do that and waits for it.
 */
#include <basalt/base.h>
#include <basalt/stor.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "client.h"
#include "tools.h"

#define DEFAULT_POOL "zones"
#define DEFAULT_POOL_SIZE (16ULL << 30)
#define STOP_TIMEOUT_S 120

static pthread_mutex_t running_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t running_cond = PTHREAD_COND_INITIALIZER;
static int running; /* commands being served */

static void usage(FILE *f)
{
	fprintf(f, "usage: basalt zfsd [--stop]\n"
		   "\n"
		   "The pool daemon: owns the imported pools and runs the zfs and zpool commands.\n"
		   "The commands start it when it is not running.\n"
		   "\n"
		   "  --stop   ask the running daemon to unmount, sync and exit; wait for it\n"
		   "  --help   print this help\n");
}

/* ---- the record of mounts ---- */

/* Is there a FUSE mount of Basalt's at path? (mountinfo escapes spaces and such as "\040") */
static bool basalt_mount_at(const char *info, const char *path)
{
	_cleanup_free_ char *copy = bs_strdup(info);
	char *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sep = strstr(line, " - "), *mp = line, *end, *out;

		/* fields: id parent major:minor root mountpoint ... - fstype source options */
		if (!sep || !bs_startswith(sep + 3, "fuse.basalt "))
			continue;
		for (int i = 0; i < 4 && mp; i++) {
			mp = strchr(mp, ' ');
			mp = mp ? mp + 1 : NULL;
		}
		if (!mp || !(end = strchr(mp, ' ')))
			continue;
		*end = '\0';
		out = mp;
		for (char *c = mp; *c; c++) {
			if (c[0] == '\\' && c[1] >= '0' && c[1] <= '3' && c[2] >= '0' &&
			    c[2] <= '7' && c[3] >= '0' && c[3] <= '7') {
				*out++ = (char)((c[1] - '0') << 6 | (c[2] - '0') << 3 |
						(c[3] - '0'));
				c += 3;
			} else {
				*out++ = *c;
			}
		}
		*out = '\0';
		if (streq(mp, path))
			return true;
	}
	return false;
}

/* The mounts are recorded in run/zfsd.mounts as they change, so that a daemon starting after
 * one that died can detach the FUSE mounts it left behind, dead (every access fails), before
 * mounting on the same directories. Only those: other daemons' mounts are never touched. */
static pthread_mutex_t mounts_file_lock = PTHREAD_MUTEX_INITIALIZER;
static char *mounts_recorded; /* what the file holds, so that most commands leave it alone */

static void record_mounts(void)
{
	_cleanup_free_ char *path = zfsd_path(ZFSD_MOUNTS), *text = NULL;
	json_t *list = NULL, *m;
	size_t i, len = 0;

	if (stor_mount_list(&list) < 0)
		return;
	json_array_foreach(list, i, m) {
		const char *mp = json_string_value(json_object_get(m, "mountpoint"));

		if (mp && !strchr(mp, '\n'))
			len += strlen(mp) + 1;
	}
	text = bs_zalloc(len + 1);
	json_array_foreach(list, i, m) {
		const char *mp = json_string_value(json_object_get(m, "mountpoint"));

		if (mp && !strchr(mp, '\n')) {
			strcat(text, mp);
			strcat(text, "\n");
		}
	}
	json_decref(list);
	pthread_mutex_lock(&mounts_file_lock);
	if (!mounts_recorded || !streq(mounts_recorded, text)) {
		if (bs_replace_file(path, text, len, 0600) < 0) {
			log_warn("cannot record the mounts in %s", path);
		} else {
			free(mounts_recorded);
			mounts_recorded = TAKE_PTR(text);
		}
	}
	pthread_mutex_unlock(&mounts_file_lock);
}

static void detach_dead_mounts(void)
{
	_cleanup_free_ char *path = zfsd_path(ZFSD_MOUNTS), *list = NULL, *info = NULL;
	char *line, *save = NULL, **v = NULL;
	size_t n = 0;

	if (bs_read_file(path, &list, NULL) < 0 ||
	    bs_read_file("/proc/self/mountinfo", &info, NULL) < 0)
		return;
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		v = bs_realloc(v, sizeof(char *) * (n + 1));
		v[n++] = line;
	}
	/* the deepest first: mounts sit on directories of the ones above them */
	while (n-- > 0) {
		if (!basalt_mount_at(info, v[n]))
			continue;
		if (umount2(v[n], MNT_DETACH) == 0)
			log_info("detached %s, left by a daemon that died", v[n]);
		else
			log_warn("cannot detach %s: %s", v[n], strerror(errno));
	}
	free(v);
}

/* ---- serving one client ---- */

static int send_reply(int fd, int status, const char *msg)
{
	struct zfsd_reply reply = {
		.magic = ZFSD_MAGIC,
		.status = status,
		.msglen = msg ? (uint32_t)strlen(msg) : 0,
	};
	int r;

	r = bs_write_full(fd, &reply, sizeof(reply));
	if (r >= 0 && msg)
		r = bs_write_full(fd, msg, reply.msglen);
	return r;
}

/* Read the request and the descriptors passed with it. */
static int recv_request(int fd, int fds[ZFSD_NFDS], uint32_t *ret_argc, char **ret_payload,
			uint32_t *ret_len)
{
	struct zfsd_msg m;
	_cleanup_free_ char *payload = NULL;
	struct cmsghdr *cm;
	ssize_t n;
	int r;

	zfsd_msg_init(&m);
	do
		n = recvmsg(fd, &m.msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	for (cm = CMSG_FIRSTHDR(&m.msg); cm; cm = CMSG_NXTHDR(&m.msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		if (cm->cmsg_len == CMSG_LEN(sizeof(int) * ZFSD_NFDS) && fds[0] < 0) {
			memcpy(fds, CMSG_DATA(cm), sizeof(int) * ZFSD_NFDS);
		} else {
			/* anything else passed is closed, not leaked */
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int *extra = (int *)CMSG_DATA(cm);

			for (size_t i = 0; i < k; i++)
				close(extra[i]);
		}
	}
	if (m.msg.msg_flags & MSG_CTRUNC)
		return -EPROTO;
	if ((size_t)n < sizeof(m.req)) {
		r = bs_read_full(fd, (char *)&m.req + n, sizeof(m.req) - n);
		if (r < 0)
			return r;
	}
	if (m.req.magic != ZFSD_MAGIC || m.req.version != ZFSD_VERSION || m.req.argc == 0 ||
	    m.req.len == 0 || m.req.len > ZFSD_MAX_REQUEST || fds[0] < 0)
		return -EPROTO;
	payload = bs_malloc(m.req.len);
	r = bs_read_full(fd, payload, m.req.len);
	if (r < 0)
		return r;
	if (payload[m.req.len - 1] != '\0')
		return -EPROTO;
	*ret_argc = m.req.argc;
	*ret_len = m.req.len;
	*ret_payload = TAKE_PTR(payload);
	return 0;
}

static FILE *open_stream(int fd, const char *mode)
{
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	FILE *f;

	if (copy < 0)
		return NULL;
	f = fdopen(copy, mode);
	if (!f)
		close(copy);
	return f;
}

static int run_command(struct cmd_io *io, int argc, char **argv)
{
	const char *tool = strrchr(argv[0], '/');
	int status;

	tool = tool ? tool + 1 : argv[0];
	argv[0] = (char *)tool;
	bs_error_clear();
	if (streq(tool, "zfs"))
		status = zfs_command(io, argc, argv);
	else if (streq(tool, "zpool"))
		status = zpool_command(io, argc, argv);
	else {
		fprintf(io->err, "zfsd: unknown command '%s'\n", tool);
		status = 2;
	}
	return status;
}

static void serve(int conn)
{
	int fds[ZFSD_NFDS] = { -1, -1, -1 };
	_cleanup_free_ char *payload = NULL;
	_cleanup_free_ char **argv = NULL;
	struct cmd_io io = { 0 };
	struct ucred cred;
	socklen_t credlen = sizeof(cred);
	uint32_t argc = 0, len = 0, i, off;
	int r, status = 1;

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) < 0) {
		log_err("cannot read the credentials of a client: %s", strerror(errno));
		return;
	}
	/* the request is read even from a client that is refused, so that its sending end never
	 * meets a closed socket and it gets to print the refusal */
	r = recv_request(conn, fds, &argc, &payload, &len);
	if (cred.uid != 0) {
		send_reply(conn, 1, "zfsd: permission denied: only root may run zfs and zpool");
		goto out;
	}
	if (r < 0) {
		log_warn("bad request from pid %d: %s", (int)cred.pid, strerror(-r));
		send_reply(conn, 1, "zfsd: the request was not understood; is the binary updated?");
		goto out;
	}

	/* payload: cwd, then argc NUL-terminated arguments */
	argv = bs_zalloc(sizeof(char *) * (argc + 1));
	io.cwd = payload;
	off = strlen(payload) + 1;
	for (i = 0; i < argc && off < len; i++) {
		argv[i] = payload + off;
		off += strlen(payload + off) + 1;
	}
	if (i != argc || off != len) {
		send_reply(conn, 1, "zfsd: the request was not understood; is the binary updated?");
		goto out;
	}

	io.in_fd = fds[0];
	io.out_fd = fds[1];
	io.err_fd = fds[2];
	io.uid = cred.uid;
	io.conn_fd = conn;
	io.in = open_stream(fds[0], "r");
	io.out = open_stream(fds[1], "w");
	io.err = open_stream(fds[2], "w");
	if (!io.in || !io.out || !io.err) {
		send_reply(conn, 1, "zfsd: cannot use the descriptors of the command");
		goto out;
	}
	setvbuf(io.err, NULL, _IOLBF, 0);

	status = run_command(&io, (int)argc, argv);

	if (fflush(io.out) != 0 && status == 0 && errno != EPIPE) {
		fprintf(io.err, "%s: cannot write the output: %s\n", argv[0], strerror(errno));
		status = 1;
	}
	fflush(io.err);
	record_mounts();
	send_reply(conn, status, NULL);
out:
	if (io.in)
		fclose(io.in);
	if (io.out)
		fclose(io.out);
	if (io.err)
		fclose(io.err);
	for (i = 0; i < ZFSD_NFDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void *serve_thread(void *arg)
{
	int conn = (int)(intptr_t)arg;

	serve(conn);
	close(conn);
	pthread_mutex_lock(&running_lock);
	running--;
	pthread_cond_broadcast(&running_cond);
	pthread_mutex_unlock(&running_lock);
	return NULL;
}

static void start_serving(int conn)
{
	pthread_attr_t attr;
	pthread_t tid;
	int r;

	pthread_mutex_lock(&running_lock);
	running++;
	pthread_mutex_unlock(&running_lock);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&tid, &attr, serve_thread, (void *)(intptr_t)conn);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		log_err("cannot start a thread for a command: %s", strerror(r));
		send_reply(conn, 1, "zfsd: out of resources; try again");
		close(conn);
		pthread_mutex_lock(&running_lock);
		running--;
		pthread_mutex_unlock(&running_lock);
	}
}

/* ---- starting and stopping ---- */

/* The embedded default: a pool in a sparse file under the state directory. */
static void create_default_pool(void)
{
	_cleanup_free_ char *dir = bs_root_path("pools"), *img = bs_root_path("pools/zones.img");
	_cleanup_free_ char *mnt = bs_root_path(DEFAULT_POOL), *cmdline = NULL;
	struct stor_pool_create_opts opts = { .mountpoint = mnt };
	uint64_t size = DEFAULT_POOL_SIZE;
	const char *env = getenv("BASALT_DEFAULT_POOL_SIZE");
	char *spec[] = { img };
	_cleanup_close_ int fd = -1;
	int r;

	if (env && *env && bs_size_parse(env, &size) < 0) {
		log_err("BASALT_DEFAULT_POOL_SIZE='%s' is not a size; using 16G", env);
		size = DEFAULT_POOL_SIZE;
	}
	r = bs_mkdir_p(dir, 0700);
	if (r < 0) {
		log_err("cannot create %s: %s", dir, bs_strerror(r));
		return;
	}
	if (access(img, F_OK) == 0) {
		/* an image without a cache file: take it back rather than overwrite it */
		r = stor_pool_import(DEFAULT_POOL, dir);
		if (r < 0)
			log_err("%s exists but cannot be imported: %s", img, bs_strerror(r));
		return;
	}
	fd = open(img, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		log_err("cannot create %s: %s", img, strerror(errno));
		if (fd >= 0)
			unlink(img);
		return;
	}
	r = stor_pool_create(DEFAULT_POOL, 1, spec, &opts);
	if (r < 0) {
		log_err("cannot create the default pool '%s' on %s: %s", DEFAULT_POOL, img,
			bs_strerror(r));
		unlink(img);
		return;
	}
	cmdline = bs_asprintf("zpool create -m %s %s %s", mnt, DEFAULT_POOL, img);
	stor_pool_history_log(DEFAULT_POOL, cmdline);
	log_info("created the default pool '%s' on %s", DEFAULT_POOL, img);
}

static int bind_socket(const char *path)
{
	_cleanup_free_ char *tmp = bs_asprintf("%s.%d", path, (int)getpid());
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;

	if (strlen(path) + 16 >= sizeof(sa.sun_path))
		return bs_error(ENAMETOOLONG, "the socket path '%s' is too long", path);
	strcpy(sa.sun_path, tmp);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(tmp);
	/* bound under a private name, made 0600, then renamed: a client never finds the socket
	 * with another mode, or before it listens */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(tmp, 0600) < 0 ||
	    listen(fd, 64) < 0 || rename(tmp, path) < 0) {
		int r = -errno;

		unlink(tmp);
		return bs_error(-r, "cannot listen on %s: %s", path, strerror(-r));
	}
	return TAKE_FD(fd);
}

static int mount_compare(const void *a, const void *b)
{
	const char *ma = json_string_value(json_object_get(*(json_t *const *)a, "mountpoint"));
	const char *mb = json_string_value(json_object_get(*(json_t *const *)b, "mountpoint"));

	/* deepest first, so that nested mounts go before their parents */
	return (int)strlen(mb ? mb : "") - (int)strlen(ma ? ma : "");
}

static void unmount_all(void)
{
	json_t *list = NULL, *m;
	_cleanup_free_ json_t **v = NULL;
	size_t i, n;
	int r;

	r = stor_mount_list(&list);
	if (r < 0) {
		log_err("cannot list the mounts: %s", bs_strerror(r));
		return;
	}
	n = json_array_size(list);
	v = bs_zalloc(sizeof(*v) * (n + 1));
	json_array_foreach(list, i, m)
		v[i] = m;
	qsort(v, n, sizeof(*v), mount_compare);
	for (i = 0; i < n; i++) {
		const char *name = json_string_value(json_object_get(v[i], "name"));

		if (!name)
			continue;
		r = stor_ds_unmount(name, false);
		if (r < 0)
			r = stor_ds_unmount(name, true);
		if (r < 0)
			log_err("cannot unmount %s: %s", name, bs_strerror(r));
	}
	json_decref(list);
}

static int daemon_main(void)
{
	_cleanup_free_ char *sock = zfsd_path(ZFSD_SOCKET), *pidfile = zfsd_path(ZFSD_PIDFILE);
	_cleanup_free_ char *rundir = zfsd_path("run"), *logdir = zfsd_path("log");
	_cleanup_free_ char *cache = bs_root_path("zpool.cache");
	_cleanup_close_ int pidfd = -1, sigfd = -1, lfd = -1;
	char pidbuf[32];
	sigset_t mask;
	int r;

	umask(022);
	r = bs_mkdir_p(rundir, 0700);
	if (r >= 0)
		r = bs_mkdir_p(logdir, 0755);
	if (r < 0) {
		fprintf(stderr, "zfsd: cannot create %s: %s\n", rundir, bs_strerror(r));
		return 1;
	}

	pidfd = open(pidfile, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (pidfd < 0) {
		fprintf(stderr, "zfsd: cannot open %s: %s\n", pidfile, strerror(errno));
		return 1;
	}
	if (flock(pidfd, LOCK_EX | LOCK_NB) < 0) {
		ssize_t n = pread(pidfd, pidbuf, sizeof(pidbuf) - 1, 0);

		pidbuf[n > 0 ? n : 0] = '\0';
		pidbuf[strcspn(pidbuf, "\n")] = '\0';
		fprintf(stderr, "zfsd: the pool daemon is already running (pid %s)\n",
			pidbuf[0] ? pidbuf : "unknown");
		return 1;
	}
	snprintf(pidbuf, sizeof(pidbuf), "%d\n", (int)getpid());
	if (ftruncate(pidfd, 0) < 0 || pwrite(pidfd, pidbuf, strlen(pidbuf), 0) < 0) {
		fprintf(stderr, "zfsd: cannot write %s: %s\n", pidfile, strerror(errno));
		return 1;
	}

	/* signals arrive on a descriptor; every thread, the engine's too, inherits the mask */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sigfd < 0) {
		fprintf(stderr, "zfsd: signalfd: %s\n", strerror(errno));
		return 1;
	}

	log_info("starting (pid %d, state directory %s)", (int)getpid(), bs_root_dir());
	r = stor_init();
	if (r < 0) {
		fprintf(stderr, "zfsd: cannot start the storage engine: %s\n", bs_strerror(r));
		return 1;
	}
	/* file systems follow their properties: mounted when created, moved when changed */
	stor_automount(true);
	detach_dead_mounts();
	if (access(cache, F_OK) < 0 && errno == ENOENT) {
		create_default_pool();
	} else {
		r = stor_pool_import_cached();
		if (r < 0)
			log_err("cannot import the pools of %s: %s", cache, bs_strerror(r));
	}
	r = stor_mount_all();
	if (r < 0)
		log_err("cannot mount every file system: %s", bs_strerror(r));
	record_mounts();
	r = stor_zvol_start();
	if (r < 0)
		log_err("cannot serve the volumes as files: %s", bs_strerror(r));

	lfd = bind_socket(sock);
	if (lfd < 0) {
		fprintf(stderr, "zfsd: %s\n", bs_strerror(lfd));
		stor_zvol_stop();
		unmount_all();
		stor_pool_sync(NULL);
		stor_fini();
		return 1;
	}
	log_info("serving on %s", sock);

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = lfd, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};
		int conn;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si))
				log_info("signal %u: stopping", si.ssi_signo);
			break;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn("accept: %s", strerror(errno));
			continue;
		}
		start_serving(conn);
	}

	/* stop: no new commands, let the running ones end, then put everything on disk */
	close(TAKE_FD(lfd));
	unlink(sock);
	pthread_mutex_lock(&running_lock);
	if (running)
		log_info("waiting for %d running command(s)", running);
	while (running)
		pthread_cond_wait(&running_cond, &running_lock);
	pthread_mutex_unlock(&running_lock);

	stor_zvol_stop();
	unmount_all();
	record_mounts();
	free(mounts_recorded);
	mounts_recorded = NULL;
	r = stor_pool_sync(NULL);
	if (r < 0)
		log_err("cannot sync the pools: %s", bs_strerror(r));
	stor_fini();
	unlink(pidfile);
	log_info("stopped");
	return 0;
}

/* Has pid exited (a zombie counts: it holds nothing any more)? */
static bool process_gone(pid_t pid)
{
	_cleanup_free_ char *path = bs_asprintf("/proc/%d/stat", (int)pid), *stat = NULL;
	const char *paren;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	if (bs_read_file(path, &stat, NULL) < 0)
		return true;
	paren = strrchr(stat, ')');
	return paren && (paren[2] == 'Z' || paren[2] == 'X');
}

/* `zfsd --stop`: signal the daemon named in the pid file and wait until it has released its
 * lock and exited. */
static int stop_daemon(void)
{
	_cleanup_free_ char *pidfile = zfsd_path(ZFSD_PIDFILE);
	_cleanup_close_ int fd = open(pidfile, O_RDONLY | O_CLOEXEC);
	char buf[32] = "";
	uint64_t deadline, pid;
	ssize_t n;

	if (fd < 0 || flock(fd, LOCK_SH | LOCK_NB) == 0) {
		fprintf(stderr, "zfsd: the pool daemon is not running\n");
		return 0;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (bs_parse_u64(buf, &pid) < 0 || pid < 2 || pid > INT32_MAX) {
		fprintf(stderr, "zfsd: %s does not hold a process id\n", pidfile);
		return 1;
	}
	if (kill((pid_t)pid, SIGTERM) < 0) {
		fprintf(stderr, "zfsd: cannot signal pid %llu: %s\n", (unsigned long long)pid,
			strerror(errno));
		return 1;
	}
	deadline = bs_monotonic_ns() + STOP_TIMEOUT_S * 1000000000ULL;
	while (flock(fd, LOCK_SH | LOCK_NB) < 0 || !process_gone((pid_t)pid)) {
		struct timespec ts = { .tv_nsec = 20 * 1000000L };

		if (bs_monotonic_ns() > deadline) {
			fprintf(stderr, "zfsd: pid %llu did not stop within %d seconds\n",
				(unsigned long long)pid, STOP_TIMEOUT_S);
			return 1;
		}
		nanosleep(&ts, NULL);
	}
	return 0;
}

int tool_zfsd_main(int argc, char **argv)
{
	bool stop = false;

	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--help") || streq(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (streq(argv[i], "--stop")) {
			stop = true;
		} else {
			fprintf(stderr, "zfsd: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (stop)
		return stop_daemon();
	if (geteuid() != 0) {
		fprintf(stderr, "zfsd: the pool daemon must run as root\n");
		return 1;
	}
	return daemon_main();
}
