/* mkfiles: create N small files (SIZE bytes each) in a directory, spread over subdirectories of
 * 1000 files, for the storage benchmark (bench/storage.sh); prints the elapsed seconds. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char path[4096], buf[65536];
	long n, size, i;
	double t0;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: mkfiles DIR COUNT SIZE\n");
		return 2;
	}
	n = atol(argv[2]);
	size = atol(argv[3]);
	if (n < 0 || size < 0 || size > (long)sizeof(buf)) {
		fprintf(stderr, "mkfiles: COUNT must be >= 0 and SIZE between 0 and %zu\n",
			sizeof(buf));
		return 2;
	}
	memset(buf, 'x', sizeof(buf));
	t0 = now();
	for (i = 0; i < n; i++) {
		if (i % 1000 == 0) {
			snprintf(path, sizeof(path), "%s/d%05ld", argv[1], i / 1000);
			if (mkdir(path, 0755) < 0 && errno != EEXIST) {
				fprintf(stderr, "mkfiles: mkdir %s: %s\n", path, strerror(errno));
				return 1;
			}
		}
		snprintf(path, sizeof(path), "%s/d%05ld/f%07ld", argv[1], i / 1000, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			fprintf(stderr, "mkfiles: open %s: %s\n", path, strerror(errno));
			return 1;
		}
		if (size > 0 && write(fd, buf, size) != size) {
			fprintf(stderr, "mkfiles: write %s: %s\n", path, strerror(errno));
			close(fd);
			return 1;
		}
		if (close(fd) < 0) {
			fprintf(stderr, "mkfiles: close %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	printf("%.3f\n", now() - t0);
	return 0;
}
