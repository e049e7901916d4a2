// SPDX-License-Identifier: MIT
/*
 * spawn.c - a trigger for D tests of the proc provider: forks a child that executes
 * /bin/true, sends itself SIGUSR1 (ignored), waits for the child, and exits with status 0.
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
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	kill(getpid(), SIGUSR1);
	waitpid(pid, &status, 0);
	return 0;
}
