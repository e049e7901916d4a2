// SPDX-License-Identifier: MIT
/*
 * enter.c - a process in a running zone, as zlogin needs one: a child that joins the zone's
 * cgroups and, through setns, the namespaces of the zone's init (user, mount, UTS, IPC,
 * network, cgroup and PID: the last takes effect for its own child, which it forks), then
 * confines itself exactly as init was (capabilities, no_new_privs, seccomp) and execs. The
 * middle process waits and passes the exit status on, so the caller sees the command's.
 */
#include "zone_impl.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static const struct ns {
	const char *file;
	int type;
} zone_ns[] = {
	/* user first: the others belong to it */
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },  { "uts", CLONE_NEWUTS },
	{ "ipc", CLONE_NEWIPC },   { "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP },
	{ "pid", CLONE_NEWPID },
};

static _noreturn_ void run_in_zone(const struct zone_config *c, char *const argv[], int tty_fd)
{
	static char path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	static char home[] = "HOME=/root", container[] = "container=basalt";
	char *envp[] = { path, home, container, NULL, NULL };
	char term[128];
	const char *t = getenv("TERM");

	if (t) {
		snprintf(term, sizeof(term), "TERM=%s", t);
		envp[3] = term;
	}
	if (tty_fd >= 0) {
		setsid();
		if (ioctl(tty_fd, TIOCSCTTY, 0) < 0 || dup2(tty_fd, 0) < 0 || dup2(tty_fd, 1) < 0 ||
		    dup2(tty_fd, 2) < 0)
			_exit(126);
		if (tty_fd > 2)
			close(tty_fd);
	}
	/* in a user namespace, become the zone's root (the host's root is nobody there) */
	if (c->uid_count &&
	    (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		fprintf(stderr, "zlogin: cannot become the zone's root: %s\n", strerror(errno));
		_exit(126);
	}
	if (chdir("/") < 0 || zone_confine(c) < 0) {
		fprintf(stderr, "zlogin: %s\n", bs_error_msg());
		_exit(126);
	}
	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, envp);
	} else {
		environ = envp;
		execvp(argv[0], argv);
	}
	fprintf(stderr, "zlogin: %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

int zone_enter_exec(const char *name, char *const argv[], int tty_fd, pid_t *ret_pid)
{
	_cleanup_zone_config_ struct zone_config *c = NULL;
	int fds[ARRAY_SIZE(zone_ns)];
	enum zone_state st;
	pid_t init, pid;
	int r;

	r = zone_store_load(name, &c);
	if (r < 0)
		return r;
	r = zone_state_get(name, &st, &init);
	if (r < 0)
		return r;
	if (st != ZONE_STATE_RUNNING || init <= 0)
		return bs_error(ESRCH, "zone '%s' is not running (it is %s)", name,
				zone_state_name(st));
	for (size_t i = 0; i < ARRAY_SIZE(zone_ns); i++) {
		char path[64];

		fds[i] = -1;
		if (zone_ns[i].type == CLONE_NEWUSER && !c->uid_count)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)init, zone_ns[i].file);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			r = bs_error(errno, "cannot open %s: %s", path, strerror(errno));
			break;
		}
	}
	if (r < 0)
		goto out;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto out;
	}
	if (pid == 0) {
		int status;
		pid_t child;

		if (zone_cgroup_attach(name, 0) < 0) {
			fprintf(stderr, "zlogin: %s\n", bs_error_msg());
			_exit(126);
		}
		for (size_t i = 0; i < ARRAY_SIZE(zone_ns); i++)
			if (fds[i] >= 0 && setns(fds[i], zone_ns[i].type) < 0) {
				fprintf(stderr,
					"zlogin: cannot enter the zone's %s namespace: %s\n",
					zone_ns[i].file, strerror(errno));
				_exit(126);
			}
		child = fork();
		if (child < 0)
			_exit(126);
		if (child == 0)
			run_in_zone(c, argv, tty_fd);
		if (tty_fd >= 0)
			close(tty_fd);
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(status))
			_exit(128 + WTERMSIG(status));
		_exit(WEXITSTATUS(status));
	}
	*ret_pid = pid;
out:
	for (size_t i = 0; i < ARRAY_SIZE(zone_ns); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return r;
}
