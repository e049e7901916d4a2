/*
 * first_event.c - times a tracer from its start to its first event and to its exit, without a
 * shell's forks and pipes in between: the clock is read just before posix_spawn(), the tracer's
 * standard output is read here, and the first line that is a number is taken as the event's own
 * timestamp in nanoseconds (wall-clock time, or with -m the monotonic clock, as bpftrace's
 * nsecs is).
 *
 *   first_event [-m] CMD [ARG...]
 *
 * prints "FIRST_US EXIT_US": microseconds from the start to the event and to the tracer's exit.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (long long)t.tv_sec * 1000000000ll + t.tv_nsec;
}

int main(int argc, char **argv)
{
	clockid_t clock = CLOCK_REALTIME;
	posix_spawn_file_actions_t fa;
	long long start, event = -1, end;
	char line[256], *endp;
	int fds[2], status, arg = 1;
	FILE *out;
	pid_t pid;

	if (argc > 1 && strcmp(argv[1], "-m") == 0) {
		clock = CLOCK_MONOTONIC;
		arg++;
	}
	if (arg >= argc) {
		fprintf(stderr, "usage: first_event [-m] CMD [ARG...]\n");
		return 2;
	}
	if (pipe(fds) < 0) {
		perror("first_event: pipe");
		return 1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", 1, 0);
	start = now_ns(clock);
	if (posix_spawnp(&pid, argv[arg], &fa, NULL, argv + arg, environ) != 0) {
		perror("first_event: spawn");
		return 1;
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	while (out && fgets(line, sizeof(line), out)) {
		long long v = strtoll(line, &endp, 10);

		if (endp != line && (*endp == '\n' || *endp == '\0') && event < 0)
			event = v;
	}
	waitpid(pid, &status, 0);
	end = now_ns(clock);
	if (event < 0) {
		fprintf(stderr, "first_event: %s printed no timestamp\n", argv[arg]);
		return 1;
	}
	printf("%lld %lld\n", (event - start) / 1000, (end - start) / 1000);
	return 0;
}
