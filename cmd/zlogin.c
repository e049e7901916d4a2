// SPDX-License-Identifier: MIT
/*
 * zlogin.c - the `zlogin` command: run a command in a running zone with the caller's stdin,
 * stdout, stderr and exit status; with no command, a login shell on a new pty; with -C, the
 * zone's console, held by its supervisor. On a pty or the console, "~." at the start of a line
 * disconnects. The console of an installed zone can be attached before it boots: zlogin waits.
 *
 *   zlogin ZONE [COMMAND [ARG...]]
 *   zlogin -C ZONE
 */
#include <basalt/base.h>
#include <basalt/zone.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include "tools.h"
#include "zonecli.h"

#define USAGE "usage: zlogin [-C] ZONE [COMMAND [ARG...]]"

static struct termios saved_termios;
static bool termios_saved;

static void restore_terminal(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_termios);
}

static void raw_terminal(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		return;
	termios_saved = true;
	t = saved_termios;
	cfmakeraw(&t);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &t);
	atexit(restore_terminal);
}

/* Copy stdin to fd and fd to stdout until fd ends or the user types "~." at a line's start.
 * Returns true if the user disconnected. */
static bool relay(int fd)
{
	bool line_start = true, tilde = false, in_open = true;
	char buf[4096], out[4096 + 1];

	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN } };
		ssize_t n;
		size_t k = 0;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (p[0].revents) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				return false;
			if (bs_write_full(STDOUT_FILENO, buf, (size_t)n) < 0)
				return false;
		}
		if (!p[1].revents)
			continue;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n <= 0) {
			in_open = false; /* end of input: keep showing the output */
			continue;
		}
		for (ssize_t i = 0; i < n; i++) {
			char ch = buf[i];

			if (tilde) {
				tilde = false;
				if (ch == '.')
					return true;
				out[k++] = '~';
			} else if (line_start && ch == '~') {
				tilde = true;
				line_start = false;
				continue;
			}
			out[k++] = ch;
			line_start = ch == '\r' || ch == '\n';
		}
		if (k && bs_write_full(fd, out, k) < 0)
			return false;
	}
}

static int console(const char *name)
{
	_cleanup_close_ int fd = -1;
	enum zone_state st;
	int r;

	r = zone_console_open(name, &fd);
	if (r == -ESRCH && zone_state_get(name, &st, NULL) == 0 && st == ZONE_STATE_CONFIGURED)
		r = bs_error(EINVAL, "zone '%s' is not installed", name);
	if (r == -ESRCH) {
		/* not running: wait for its boot, whose first words the supervisor keeps */
		fprintf(stderr, "[Waiting for zone '%s' to boot]\r\n", name);
		r = zone_console_wait(name);
		if (r == 0)
			r = zone_console_open(name, &fd);
	}
	if (r < 0) {
		return zonecli_fail("zlogin", r);
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "[Connected to zone '%s' console; type ~. to leave]\r\n", name);
	raw_terminal();
	relay(fd);
	restore_terminal();
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "\n[Connection to zone '%s' console closed]\n", name);
	return 0;
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int shell(const char *name)
{
	static char sh[] = "/bin/sh", login[] = "-l";
	char *const argv[] = { sh, login, NULL };
	_cleanup_close_ int master = -1, slave = -1;
	char path[64];
	struct winsize ws;
	pid_t pid;
	int r;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, path, sizeof(path)) != 0 ||
	    (slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "zlogin: cannot create a pty: %s\n", strerror(errno));
		return 1;
	}
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(slave, TIOCSWINSZ, &ws);
	r = zone_enter_exec(name, argv, slave, &pid);
	if (r < 0) {
		return zonecli_fail("zlogin", r);
	}
	close(TAKE_FD(slave));
	raw_terminal();
	if (relay(master))
		kill(pid, SIGHUP);
	restore_terminal();
	return wait_status(pid);
}

int tool_zlogin_main(int argc, char **argv)
{
	pid_t pid;
	int r;

	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
		printf(USAGE "\n");
		return 0;
	}
	if (argc == 3 && streq(argv[1], "-C"))
		return console(argv[2]);
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "zlogin: a zone is required; " USAGE "\n");
		return 2;
	}
	if (argc == 2)
		return shell(argv[1]);
	r = zone_enter_exec(argv[1], argv + 2, -1, &pid);
	if (r < 0) {
		return zonecli_fail("zlogin", r);
	}
	/* the command gets the terminal's signals itself */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	return wait_status(pid);
}
