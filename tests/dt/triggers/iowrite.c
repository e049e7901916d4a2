// SPDX-License-Identifier: MIT
/*
 * iowrite.c - a trigger for D tests of the io provider: writes 1 MiB to a new file in the
 * directory given (default /var/tmp), flushes it to the disk with fsync(), and removes it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096], buf[65536];
	int fd;

	snprintf(path, sizeof(path), "%s/basalt-dt-io.%d", argc > 1 ? argv[1] : "/var/tmp",
		 (int)getpid());
	memset(buf, 'x', sizeof(buf));
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd < 0)
		return 1;
	for (int i = 0; i < 16; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return 1;
	if (fsync(fd) < 0)
		return 1;
	close(fd);
	unlink(path);
	return 0;
}
