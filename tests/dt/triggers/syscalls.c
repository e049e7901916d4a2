// SPDX-License-Identifier: MIT
/*
 * syscalls.c - a trigger for D tests: makes a known number of system calls, so that a test can
 * count them exactly. usage: syscalls [N]: N getppid() calls (default 10), then one write() of
 * "hello\n" to /dev/null and one read() of 4 bytes from /dev/zero. The paths are read first, so
 * that their page is present when a tracer copies them in (BPF cannot fault a page in).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	const char *volatile path = "/dev/null";
	volatile char first = path[0];
	char buf[4];
	int fd;

	for (int i = 0; i < n; i++)
		getppid();
	(void)first;
	fd = open("/dev/null", O_WRONLY);
	if (fd >= 0 && write(fd, "hello\n", 6) != 6)
		return 1;
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	if (fd >= 0 && read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		return 1;
	close(fd);
	return 0;
}
