// SPDX-License-Identifier: MIT
/*
 * supervisor.c - zoneadmd's role: one process per running zone that builds the zone, holds it
 * and takes it down. Booting forks the supervisor away from the command (or runs it in the
 * foreground), which creates the zone's cgroups and console pty, clones the zone's first
 * process into new mount, PID, UTS, IPC, network (and user) namespaces, puts it in the
 * cgroups, plugs in its NICs and lets it build its root and exec init. Then it reaps, relays
 * the console to whoever attaches over its socket, answers halt and shutdown, and when init is
 * gone removes everything the zone had on the host: processes, cgroups, veths, runtime files.
 *
 * Runtime files in $BASALT_ROOT/run/zones/NAME/: supervisor (its pid), state, init (the zone's
 * init pid, as the host sees it), pidns (the inode number of the zone's PID namespace, which
 * the tracer maps to the zone's name) and sock (requests: "halt", "shutdown SECONDS",
 * "console").
 */
#include "zone_impl.h"

#include <fcntl.h>
#include <poll.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>

#define MAX_CLIENTS 16
#define CONSOLE_RING 8192

struct supervisor {
	struct zone_config *cfg;
	pid_t init;
	bool born_in_cgroup; /* clone3 put init straight into its v2 cgroup */
	int init_status;
	bool init_done, stopping;
	int console, console_slave; /* pty master and slave */
	int listen_fd, signal_fd, timer_fd;
	int out_fd; /* the foreground caller's stdout, or -1 */
	int consoles[MAX_CLIENTS], waiters[MAX_CLIENTS];
	size_t n_consoles, n_waiters;
	char ring[CONSOLE_RING]; /* the console's last output, replayed on attach */
	size_t ring_len;
};

static void write_run_file(const char *name, const char *file, const char *text)
{
	_cleanup_free_ char *path = zone_run_path(name, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd >= 0)
		bs_write_full(fd, text, strlen(text));
}

static void set_state(struct supervisor *s, enum zone_state st)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%s\n", zone_state_name(st));
	write_run_file(s->cfg->zonename, "state", buf);
}

static void remove_run_dir(const char *name)
{
	static const char *const files[] = { "pidns", "init", "sock", "state", "supervisor" };
	_cleanup_free_ char *dir = zone_run_path(name, NULL);

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *p = zone_run_path(name, files[i]);

		unlink(p);
	}
	rmdir(dir);
}

/* ---- the zone's first process ---- */

static _noreturn_ void child_fail(int err_fd)
{
	const char *msg = bs_error_msg();

	bs_write_full(err_fd, msg, strlen(msg));
	_exit(127);
}

/* Runs in the new namespaces: join the cgroups and build the root (while the supervisor plugs
 * in the NICs), wait for the supervisor's go, then finish the zone's setup, confine and exec. */
static _noreturn_ void zone_child(struct supervisor *s, int go_fd, int err_fd, const char *console)
{
	const struct zone_config *c = s->cfg;
	static char path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	static char term[] = "TERM=vt100", container[] = "container=basalt";
	char *const envp[] = { path, term, container, NULL };
	sigset_t none;
	char go;
	int fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* into the zone's cgroups first, while the host's cgroup file systems are in reach (in a
	 * user namespace, the supervisor does it: this process is not the host's root) */
	if (!s->born_in_cgroup && !c->uid_count && zone_cgroup_attach(c->zonename, 0) < 0)
		child_fail(err_fd);
	/* Without a user namespace the root is built while the supervisor plugs in the NICs. In
	 * a user namespace files can only be made once the supervisor has written the id maps. */
	if (!c->uid_count && zone_rootfs_setup(c, console) < 0)
		child_fail(err_fd);
	if (read(go_fd, &go, 1) != 1)
		_exit(127); /* the supervisor gave up */
	close(go_fd);
	if (c->uid_count && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		bs_error(errno, "cannot become root in the zone's user namespace: %s",
			 strerror(errno));
		child_fail(err_fd);
	}
	if (c->uid_count && zone_rootfs_setup(c, console) < 0)
		child_fail(err_fd);
	/* the zone's cgroups become the root of its cgroup namespace */
	if (unshare(CLONE_NEWCGROUP) < 0) {
		bs_error(errno, "cannot create the cgroup namespace: %s", strerror(errno));
		child_fail(err_fd);
	}
	if (sethostname(c->hostname, strlen(c->hostname)) < 0) {
		bs_error(errno, "cannot set the host name: %s", strerror(errno));
		child_fail(err_fd);
	}
	if (zone_net_zone_setup(c) < 0 || zone_rootfs_resolvers(c) < 0)
		child_fail(err_fd);
	setsid();
	fd = open("/dev/console", O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 ||
	    dup2(fd, 2) < 0) {
		bs_error(errno, "cannot open the zone's console: %s", strerror(errno));
		child_fail(err_fd);
	}
	if (zone_confine(c) < 0)
		child_fail(err_fd);
	execve(c->init[0], c->init, envp);
	bs_error(errno, "cannot run %s in the zone: %s", c->init[0], strerror(errno));
	child_fail(err_fd);
}

static int write_id_map(pid_t pid, const char *file, const struct zone_config *c)
{
	char path[64], buf[64];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	snprintf(buf, sizeof(buf), "0 %u %u\n", c->uid_base, c->uid_count);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, strlen(buf)) < 0)
		return bs_error(errno, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* Fork-like clone of the zone's first process into its new namespaces. On cgroup v2 it is
 * born in the zone's cgroup (clone3 with CLONE_INTO_CGROUP), which costs no migration; else
 * it moves itself (v1) or is moved (user namespace) afterwards. */
static pid_t clone_init(struct supervisor *s, unsigned long flags)
{
	_cleanup_close_ int cg = zone_cgroup_open_v2(s->cfg->zonename);
	struct clone_args args = { .flags = (flags & ~0xffUL) | CLONE_INTO_CGROUP,
				   .exit_signal = flags & 0xff,
				   .cgroup = (uint64_t)MAX(cg, 0) };
	pid_t pid;

	if (cg >= 0) {
		s->born_in_cgroup = true;
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0 || errno != ENOSYS)
			return pid;
		s->born_in_cgroup = false; /* a kernel before 5.7 */
	}
	return (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

/* Clone the zone's first process and see it through to exec. */
static int start_init(struct supervisor *s, const char *console)
{
	const struct zone_config *c = s->cfg;
	int go[2], err[2], r = 0;
	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
			      CLONE_NEWNET | SIGCHLD;
	char msg[512], buf[64];
	struct stat st;
	ssize_t n;
	pid_t pid;

	if (c->uid_count)
		flags |= CLONE_NEWUSER;
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return -errno;
	pid = clone_init(s, flags);
	if (pid < 0) {
		r = bs_error(errno, "cannot create the zone's namespaces: %s", strerror(errno));
		close(go[0]), close(go[1]), close(err[0]), close(err[1]);
		return r;
	}
	if (pid == 0) {
		close(go[1]);
		close(err[0]);
		zone_child(s, go[0], err[1], console);
	}
	close(go[0]);
	close(err[1]);
	s->init = pid;
	if (c->uid_count) {
		r = write_id_map(pid, "uid_map", c);
		if (r == 0)
			r = write_id_map(pid, "gid_map", c);
	}
	if (r == 0 && c->uid_count && !s->born_in_cgroup)
		r = zone_cgroup_attach(c->zonename, pid);
	if (r == 0)
		r = zone_net_host_setup(c, pid);
	if (r == 0 && write(go[1], "g", 1) != 1)
		r = -EPIPE;
	close(go[1]);
	/* The error pipe closes on exec: nothing read is success. A child that failed (maybe
	 * before the go, making the supervisor's own steps fail) says why, and that is the
	 * reason given; a child that got no go exits without a word. */
	n = read(err[0], msg, sizeof(msg) - 1);
	if (n > 0) {
		msg[n] = '\0';
		r = bs_error(EINVAL, "%s", msg);
	}
	close(err[0]);
	if (r < 0)
		return r;
	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	write_run_file(c->zonename, "init", buf);
	/* the tracer's key from a process to its zone */
	snprintf(buf, sizeof(buf), "/proc/%d/ns/pid", (int)pid);
	if (stat(buf, &st) < 0)
		return bs_error(errno, "cannot read the zone's PID namespace: %s", strerror(errno));
	snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)st.st_ino);
	write_run_file(c->zonename, "pidns", buf);
	return 0;
}

/* ---- the console ---- */

static void ring_add(struct supervisor *s, const char *buf, size_t n)
{
	if (n >= CONSOLE_RING) {
		buf += n - CONSOLE_RING;
		n = CONSOLE_RING;
	}
	if (s->ring_len + n > CONSOLE_RING) {
		size_t drop = s->ring_len + n - CONSOLE_RING;

		memmove(s->ring, s->ring + drop, s->ring_len - drop);
		s->ring_len -= drop;
	}
	memcpy(s->ring + s->ring_len, buf, n);
	s->ring_len += n;
}

static void drop_fd(int *fds, size_t *n, size_t i)
{
	close(fds[i]);
	fds[i] = fds[--*n];
}

static void console_output(struct supervisor *s)
{
	char buf[4096];
	ssize_t n = read(s->console, buf, sizeof(buf));

	if (n <= 0)
		return;
	ring_add(s, buf, (size_t)n);
	if (s->out_fd >= 0)
		bs_write_full(s->out_fd, buf, (size_t)n);
	for (size_t i = 0; i < s->n_consoles;) {
		if (send(s->consoles[i], buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN)
			drop_fd(s->consoles, &s->n_consoles, i);
		else
			i++;
	}
}

/* ---- requests ---- */

static void stop_init(struct supervisor *s, int sig)
{
	s->stopping = true;
	if (!s->init_done)
		kill(s->init, sig);
}

static void handle_request(struct supervisor *s, int fd)
{
	struct timeval tv = { .tv_sec = 1 }; /* a client that does not say what it wants */
	char line[64];
	ssize_t n;
	uint64_t secs;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, line, sizeof(line) - 1, 0);

	if (n <= 0) {
		close(fd);
		return;
	}
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (streq(line, ZONE_REQ_CONSOLE) && s->n_consoles < MAX_CLIENTS) {
		if (s->ring_len)
			send(fd, s->ring, s->ring_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		s->consoles[s->n_consoles++] = fd;
		return;
	}
	if (s->n_waiters == MAX_CLIENTS) {
		close(fd);
		return;
	}
	if (streq(line, ZONE_REQ_HALT)) {
		stop_init(s, SIGKILL);
	} else if (bs_startswith(line, ZONE_REQ_SHUTDOWN " ") &&
		   bs_parse_u64(line + strlen(ZONE_REQ_SHUTDOWN " "), &secs) == 0) {
		struct itimerspec t = { .it_value.tv_sec = (time_t)MAX(secs, 1) };

		set_state(s, ZONE_STATE_SHUTTING_DOWN);
		/* init asks to be stopped: busybox and sysvinit take SIGTERM as reboot/halt,
		 * a single process as the end; SIGKILL follows after the timeout */
		stop_init(s, SIGTERM);
		timerfd_settime(s->timer_fd, 0, &t, NULL);
	} else {
		send(fd, "error: unknown request\n", 23, MSG_NOSIGNAL);
		close(fd);
		return;
	}
	s->waiters[s->n_waiters++] = fd;
}

static void reap(struct supervisor *s)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	while (read(s->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			stop_init(s, SIGKILL);
	}
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == s->init) {
			s->init_done = true;
			s->init_status = status;
		}
}

/* ---- the loop ---- */

static void supervise(struct supervisor *s)
{
	struct pollfd p[4 + MAX_CLIENTS];
	char buf[4096];

	while (!s->init_done) {
		size_t n = 0;

		p[n++] = (struct pollfd){ .fd = s->signal_fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->console, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->timer_fd, .events = POLLIN };
		for (size_t i = 0; i < s->n_consoles; i++)
			p[n++] = (struct pollfd){ .fd = s->consoles[i], .events = POLLIN };
		if (poll(p, n, -1) < 0)
			continue;
		if (p[0].revents)
			reap(s);
		if (p[1].revents & POLLIN) {
			int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);

			if (fd >= 0)
				handle_request(s, fd);
		}
		if (p[2].revents & POLLIN)
			console_output(s);
		if (p[3].revents & POLLIN) {
			uint64_t ticks;

			if (read(s->timer_fd, &ticks, sizeof(ticks)) > 0)
				stop_init(s, SIGKILL);
		}
		for (size_t i = n; i-- > 4;) {
			ssize_t k;

			if (!p[i].revents)
				continue;
			k = read(p[i].fd, buf, sizeof(buf));
			if (k > 0) {
				bs_write_full(s->console, buf, (size_t)k);
				continue;
			}
			for (size_t c = 0; c < s->n_consoles; c++)
				if (s->consoles[c] == p[i].fd) {
					drop_fd(s->consoles, &s->n_consoles, c);
					break;
				}
		}
	}
}

/* Remove everything the zone had on the host; say so to whoever waits for it. */
static int teardown(struct supervisor *s)
{
	const char *name = s->cfg->zonename;
	_cleanup_free_ char *pidns = zone_run_path(name, "pidns");
	int r;

	set_state(s, ZONE_STATE_SHUTTING_DOWN);
	unlink(pidns);
	zone_net_host_teardown(s->cfg);
	r = zone_cgroup_destroy(name);
	if (s->console >= 0) {
		/* the last words of the zone reach an attached console */
		struct pollfd p = { .fd = s->console, .events = POLLIN };

		while (poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
			console_output(s);
	}
	for (size_t i = 0; i < s->n_consoles; i++)
		close(s->consoles[i]);
	s->n_consoles = 0;
	if (r < 0) {
		set_state(s, ZONE_STATE_DOWN);
	} else {
		remove_run_dir(name);
	}
	for (size_t i = 0; i < s->n_waiters; i++) {
		const char *msg = r < 0 ? bs_error_msg() : "ok";

		send(s->waiters[i], msg, strlen(msg), MSG_NOSIGNAL);
		send(s->waiters[i], "\n", 1, MSG_NOSIGNAL);
		close(s->waiters[i]);
	}
	s->n_waiters = 0;
	return r;
}

static int open_console(struct supervisor *s, char *path, size_t size)
{
	s->console = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s->console < 0 || grantpt(s->console) < 0 || unlockpt(s->console) < 0 ||
	    ptsname_r(s->console, path, size) != 0)
		return bs_error(errno, "cannot create the zone's console: %s", strerror(errno));
	/* held open so that the console lives while nothing in the zone has it open */
	s->console_slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s->console_slave < 0)
		return bs_error(errno, "cannot open %s: %s", path, strerror(errno));
	/* in a user namespace, the zone's root owns its console */
	if (s->cfg->uid_count && fchown(s->console_slave, s->cfg->uid_base, s->cfg->uid_base) < 0)
		return bs_error(errno, "cannot give %s to the zone: %s", path, strerror(errno));
	return 0;
}

/* The socket is bound under another name and renamed once it listens: a console waiting for
 * it (zone_console_wait) must not find it before it can be connected to. */
static int open_socket(struct supervisor *s)
{
	_cleanup_free_ char *path = zone_run_path(s->cfg->zonename, "sock");
	_cleanup_free_ char *tmp = zone_run_path(s->cfg->zonename, "sock.new");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (bs_strlcpy(sa.sun_path, tmp, sizeof(sa.sun_path)) < 0)
		return bs_error(ENAMETOOLONG, "%s: the state directory's path is too long", tmp);
	unlink(path);
	unlink(tmp);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->listen_fd, 16) < 0 || rename(tmp, path) < 0)
		return bs_error(errno, "cannot listen on %s: %s", path, strerror(errno));
	return 0;
}

static void report(int fd, int r)
{
	const char *msg = r < 0 ? bs_error_msg() : "";

	if (fd < 0)
		return;
	bs_write_full(fd, r < 0 ? "E" : "K", 1);
	bs_write_full(fd, msg, strlen(msg));
	close(fd);
}

/* reboot(2) in a PID namespace ends its init: by SIGHUP for a restart, SIGINT for a halt. A
 * kvm zone's init, the VMM, says that its guest rebooted by its exit status. */
static bool rebooted(const struct supervisor *s)
{
	int status = s->init_status;

	if (s->cfg->brand == ZONE_BRAND_KVM && WIFEXITED(status) &&
	    WEXITSTATUS(status) == ZONE_KVM_REBOOT_STATUS)
		return true;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP;
}

/* The zone rebooted itself: clear what its last life left, start it again with the same
 * supervisor, console and socket. */
static int restart(struct supervisor *s, const char *console)
{
	int r;

	set_state(s, ZONE_STATE_READY);
	zone_net_host_teardown(s->cfg);
	r = zone_cgroup_destroy(s->cfg->zonename);
	if (r == 0)
		r = zone_cgroup_create(s->cfg);
	if (r == 0) {
		s->init_done = false;
		s->born_in_cgroup = false;
		r = start_init(s, console);
	}
	if (r < 0) {
		/* the zone stays down; the teardown that follows says why in the state */
		if (s->init > 0 && !s->init_done) {
			kill(s->init, SIGKILL);
			waitpid(s->init, NULL, 0);
		}
		s->init_done = true;
		return r;
	}
	set_state(s, ZONE_STATE_RUNNING);
	return 0;
}

/* The supervisor's life: build the zone, report to report_fd, supervise, tear down. */
static int supervisor_run(struct zone_config *cfg, int report_fd, int out_fd, int *ret_status)
{
	struct supervisor s = { .cfg = cfg,
				.console = -1,
				.console_slave = -1,
				.listen_fd = -1,
				.signal_fd = -1,
				.timer_fd = -1,
				.out_fd = out_fd };
	char console[64], buf[32];
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	write_run_file(cfg->zonename, "supervisor", buf);
	set_state(&s, ZONE_STATE_READY);
	s.signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	s.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	r = s.signal_fd < 0 || s.timer_fd < 0 ? -errno : 0;
	if (r == 0)
		r = open_socket(&s);
	if (r == 0)
		r = open_console(&s, console, sizeof(console));
	if (r == 0)
		r = zone_cgroup_create(cfg);
	if (r == 0)
		r = start_init(&s, console);
	if (r < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", bs_error_msg());
		if (s.init > 0) {
			kill(s.init, SIGKILL);
			waitpid(s.init, NULL, 0);
			s.init_done = true;
		}
		teardown(&s);
		r = bs_error(r, "%s", msg);
	} else {
		set_state(&s, ZONE_STATE_RUNNING);
	}
	report(report_fd, r);
	if (r == 0) {
		supervise(&s);
		while (!s.stopping && rebooted(&s) && restart(&s, console) == 0)
			supervise(&s);
		r = teardown(&s);
		if (ret_status)
			*ret_status = s.init_status;
	}
	if (s.console >= 0)
		close(s.console);
	if (s.console_slave >= 0)
		close(s.console_slave);
	if (s.listen_fd >= 0)
		close(s.listen_fd);
	close(s.signal_fd);
	close(s.timer_fd);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	return r;
}

/* ---- booting ---- */

/* A supervisor died without tearing its zone down: kill what is left and remove it all. */
static int cleanup_down(const struct zone_config *c)
{
	int r = zone_cgroup_destroy(c->zonename);

	zone_net_host_teardown(c);
	if (r == 0)
		remove_run_dir(c->zonename);
	return r;
}

static int check_bootable(const struct zone_config *c)
{
	_cleanup_free_ char *init = bs_path_join(c->zoneroot, c->init[0]);
	enum zone_state st;
	struct stat sb;
	int r;

	r = zone_state_get(c->zonename, &st, NULL);
	if (r < 0)
		return r;
	if (st == ZONE_STATE_CONFIGURED)
		return bs_error(EINVAL, "zone '%s' is not installed; run 'zoneadm -z %s install'",
				c->zonename, c->zonename);
	if (st == ZONE_STATE_DOWN) {
		r = cleanup_down(c);
		if (r < 0)
			return r;
	} else if (st != ZONE_STATE_INSTALLED) {
		return bs_error(EBUSY, "zone '%s' is already %s", c->zonename, zone_state_name(st));
	}
	if (stat(c->zoneroot, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return bs_error(ENOENT, "zone '%s': its root %s is not a directory", c->zonename,
				c->zoneroot);
	if (lstat(init, &sb) < 0)
		return bs_error(ENOENT, "zone '%s': %s does not exist in its root %s", c->zonename,
				c->init[0], c->zoneroot);
	return zone_devices_check(c);
}

/* Read the supervisor's verdict: "K", or "E" and the message. */
static int read_report(int fd)
{
	char buf[600];
	ssize_t n = 0, k;

	while ((size_t)n < sizeof(buf) - 1 && (k = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += k;
	if (n <= 0)
		return bs_error(EIO, "the zone's supervisor died while booting it");
	buf[n] = '\0';
	if (buf[0] == 'K')
		return 0;
	return bs_error(EINVAL, "%s", buf + 1);
}

int zone_boot(const char *name, int flags, int *ret_status)
{
	_cleanup_zone_config_ struct zone_config *c = NULL;
	_cleanup_free_ char *dir = NULL;
	int rep[2], r, status;
	pid_t pid;

	r = zone_store_load(name, &c);
	if (r < 0)
		return r;
	r = check_bootable(c);
	if (r < 0)
		return r;
	dir = zone_run_path(name, NULL);
	r = bs_mkdir_p(dir, 0700);
	if (r < 0)
		return bs_error(r, "cannot create %s: %s", dir, strerror(-r));
	if (flags & ZONE_BOOT_WAIT)
		return supervisor_run(c, -1, STDOUT_FILENO, ret_status);

	if (pipe2(rep, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(rep[0]);
		close(rep[1]);
		return r;
	}
	if (pid == 0) {
		/* detach: a new session, and a second fork so that init adopts the supervisor */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		close(rep[0]);
		setsid();
		if (fork() != 0)
			_exit(0);
		if (chdir("/") < 0)
			_exit(1);
		prctl(PR_SET_NAME, "zoneadmd", 0, 0, 0); /* what ps and top call it */
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		/* hold none of the caller's files (a pipe it reads to the end, say) */
		if (rep[1] > 3)
			syscall(SYS_close_range, 3, rep[1] - 1, 0);
		syscall(SYS_close_range, rep[1] + 1, ~0U, 0);
		_exit(supervisor_run(c, rep[1], -1, NULL) < 0 ? 1 : 0);
	}
	close(rep[1]);
	waitpid(pid, &status, 0);
	r = read_report(rep[0]);
	close(rep[0]);
	return r;
}

/* ---- talking to a running zone's supervisor ---- */

static int connect_supervisor(const char *name, const char *request, int *ret_fd)
{
	_cleanup_free_ char *path = zone_run_path(name, "sock");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	enum zone_state st;
	int r;

	r = zone_state_get(name, &st, NULL);
	if (r < 0)
		return r;
	if (st != ZONE_STATE_RUNNING && st != ZONE_STATE_READY && st != ZONE_STATE_SHUTTING_DOWN)
		return bs_error(ESRCH, "zone '%s' is not running (it is %s)", name,
				zone_state_name(st));
	if (bs_strlcpy(sa.sun_path, path, sizeof(sa.sun_path)) < 0)
		return bs_error(ENAMETOOLONG, "%s: path too long", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return bs_error(errno, "cannot reach the supervisor of zone '%s': %s", name,
				strerror(errno));
	if (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0)
		return -errno;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int request_and_wait(const char *name, const char *request)
{
	_cleanup_close_ int fd = -1;
	char buf[600];
	ssize_t n = 0, k;
	int r;

	r = connect_supervisor(name, request, &fd);
	if (r < 0)
		return r;
	while ((size_t)n < sizeof(buf) - 1 && (k = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += k;
	buf[MAX(n, 0)] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (streq(buf, "ok"))
		return 0;
	return bs_error(EIO, "zone '%s': %s", name, n > 0 ? buf : "its supervisor died");
}

int zone_halt(const char *name)
{
	_cleanup_zone_config_ struct zone_config *c = NULL;
	enum zone_state st;
	int r;

	r = zone_state_get(name, &st, NULL);
	if (r == 0 && st == ZONE_STATE_DOWN) {
		r = zone_store_load(name, &c);
		return r < 0 ? r : cleanup_down(c);
	}
	return request_and_wait(name, ZONE_REQ_HALT "\n");
}

int zone_shutdown(const char *name, unsigned timeout_s)
{
	char req[64];

	snprintf(req, sizeof(req), ZONE_REQ_SHUTDOWN " %u\n", timeout_s);
	return request_and_wait(name, req);
}

int zone_reboot(const char *name)
{
	int r = zone_halt(name);

	return r < 0 ? r : zone_boot(name, 0, NULL);
}

int zone_console_open(const char *name, int *ret_fd)
{
	return connect_supervisor(name, ZONE_REQ_CONSOLE "\n", ret_fd);
}
