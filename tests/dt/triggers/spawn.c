// SPDX-License-Identifier: MIT
/*
 * spawn.c - a trigger for D tests of the proc provider: forks a child that executes
 * /bin/true, sends itself SIGUSR1 (ignored), waits for the child, and exits with status 0. The
 * child reads execve's strings first, so that their page is present when a tracer copies them
 * in (BPF cannot fault a page in).
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	pid_t pid;
	int status;

	signal(SIGUSR1, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		const char *volatile path = "/bin/true", *volatile arg0 = "true";
		volatile char first = path[0] + arg0[0];

		(void)first;
		execl(path, arg0, (char *)NULL);
		_exit(127);
	}
	kill(getpid(), SIGUSR1);
	waitpid(pid, &status, 0);
	return 0;
}
