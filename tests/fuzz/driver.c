// SPDX-License-Identifier: MIT
/*
 * driver.c - the plain driver every fuzz target is linked with when it is not built for
 * libFuzzer: main() runs each file named on the command line (a directory: every file in it;
 * nothing: the target's seed corpus, FUZZ_CORPUS_DIR) once through LLVMFuzzerTestOneInput and
 * reports each as a TAP case, so that the unit-test runner counts them.
 */
#include <basalt/base.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct file_list {
	char **v;
	size_t n;
};

static int collect(const char *path, struct file_list *l)
{
	struct dirent **names;
	struct stat st;
	int n, i, r = 0;

	if (stat(path, &st) < 0) {
		r = -errno;
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(-r));
		return r;
	}
	if (!S_ISDIR(st.st_mode)) {
		l->v = bs_realloc(l->v, (l->n + 1) * sizeof(*l->v));
		l->v[l->n++] = bs_strdup(path);
		return 0;
	}
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		if (r == 0 && names[i]->d_name[0] != '.') {
			_cleanup_free_ char *p = bs_path_join(path, names[i]->d_name);

			r = collect(p, l);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

/* Run every file once, reporting each as a TAP case (as the cmocka tests do under tests/run).
 * With no arguments, the seed corpus. */
int main(int argc, char **argv)
{
	struct file_list l = { 0 };
	size_t i;
	int a;

	for (a = 1; a < argc; a++)
		if (collect(argv[a], &l) < 0)
			return 1;
	if (argc < 2 && collect(FUZZ_CORPUS_DIR, &l) < 0)
		return 1;
	LLVMFuzzerInitialize(&argc, &argv);
	printf("1..%zu\n", l.n);
	for (i = 0; i < l.n; i++) {
		_cleanup_free_ char *buf = NULL;
		size_t len;
		int r;

		r = bs_read_file(l.v[i], &buf, &len);
		if (r < 0) {
			printf("not ok %zu - %s: %s\n", i + 1, l.v[i], strerror(-r));
			continue;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		printf("ok %zu - %s\n", i + 1, l.v[i]);
		fflush(stdout);
	}
	for (i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return 0;
}
