// SPDX-License-Identifier: MIT
/*
 * fuzz_pool.c - fuzz target for everything the engine reads from a device: labels, uberblocks,
 * block pointers, dnodes, ZAPs, dataset records. A real pool image is made once (a file system
 * with directories, files and a snapshot); each input is a list of patches applied to a copy of
 * it, and the damaged copy is imported, listed, read and scrubbed. Whatever the damage, the
 * engine must refuse the pool or report errors: it must never crash, hang or leak.
 *
 * Input: records of { u32 offset, u16 length, bytes }. Offsets below 2^31 land in the image's
 * first 8 MiB (labels and the early blocks, where all metadata of a small pool lives); offsets
 * with the top bit set land in the last two labels.
 */
#include <basalt/base.h>
#include <basalt/stor.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "format.h"

#define POOL "fuzzpool"
#define IMAGE_SIZE (64ull << 20)
#define HEAD_SIZE (8u << 20)
#define TAIL_SIZE (2u * LABEL_SIZE)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char *root, *imgdir, *img;
static uint8_t *head, *tail;

static void cleanup(void)
{
	_cleanup_free_ char *cmd = NULL;

	stor_pool_export_all();
	if (root && bs_startswith(root, "/tmp/basalt-fuzz-pool.")) {
		cmd = bs_asprintf("rm -rf '%s'", root);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz_pool: cannot remove %s\n", root);
	}
}

static void write_image(void)
{
	int fd = open(img, O_CREAT | O_RDWR | O_TRUNC, 0600);

	VERIFY(fd >= 0);
	VERIFY(ftruncate(fd, (off_t)IMAGE_SIZE) == 0);
	VERIFY0(bs_pwrite_full(fd, head, HEAD_SIZE, 0));
	VERIFY0(bs_pwrite_full(fd, tail, TAIL_SIZE, IMAGE_SIZE - TAIL_SIZE));
	close(fd);
}

/* Make the pristine pool once and keep the parts of its image that hold anything. */
static void make_pristine(void)
{
	char tmpl[] = "/tmp/basalt-fuzz-pool.XXXXXX";
	struct stor_pool_create_opts o = { .mountpoint = "none" };
	const char *snap[] = { POOL "/fs@s" };
	char *spec[1];
	int fd;

	VERIFY(mkdtemp(tmpl) != NULL);
	root = bs_strdup(tmpl);
	setenv("BASALT_ROOT", root, 1);
	imgdir = bs_path_join(root, "dev");
	VERIFY0(bs_mkdir_p(imgdir, 0700));
	img = bs_path_join(imgdir, "pool.img");
	fd = open(img, O_CREAT | O_RDWR | O_TRUNC, 0600);
	VERIFY(fd >= 0 && ftruncate(fd, (off_t)IMAGE_SIZE) == 0);
	close(fd);
	spec[0] = img;
	VERIFY0(stor_pool_create(POOL, 1, spec, &o));
	VERIFY0(stor_ds_create(POOL "/fs", STOR_TYPE_FILESYSTEM, 0, NULL, false));
	VERIFY0(stor_ds_create(POOL "/vol", STOR_TYPE_VOLUME, 1 << 20, NULL, false));
	VERIFY0(stor_ds_snapshot(snap, 1, false, NULL));
	VERIFY0(stor_ds_create(POOL "/fs/child", STOR_TYPE_FILESYSTEM, 0,
			       (const char *const[]){ "compression=zstd", "copies=2", NULL },
			       false));
	VERIFY0(stor_pool_export(POOL, false));
	head = bs_malloc(HEAD_SIZE);
	tail = bs_malloc(TAIL_SIZE);
	fd = open(img, O_RDONLY);
	VERIFY(fd >= 0);
	VERIFY0(bs_pread_full(fd, head, HEAD_SIZE, 0));
	VERIFY0(bs_pread_full(fd, tail, TAIL_SIZE, IMAGE_SIZE - TAIL_SIZE));
	close(fd);
	atexit(cleanup);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	bs_log_init("fuzz_pool");
	make_pristine();
	return 0;
}

static void apply(const uint8_t *data, size_t size)
{
	int fd = open(img, O_RDWR);
	size_t i = 0;

	VERIFY(fd >= 0);
	while (i + 6 <= size) {
		uint32_t off;
		uint16_t len;
		uint64_t at;

		memcpy(&off, data + i, 4);
		memcpy(&len, data + i + 4, 2);
		i += 6;
		len = (uint16_t)MIN((size_t)len, size - i);
		if (off & 0x80000000u)
			at = IMAGE_SIZE - TAIL_SIZE + (off & 0x7fffffffu) % TAIL_SIZE;
		else
			at = off % HEAD_SIZE;
		VERIFY0(bs_pwrite_full(fd, data + i, len, at));
		i += len;
	}
	close(fd);
}

/* Everything a user could make the engine read from the pool. */
static void exercise(void)
{
	json_t *j = NULL;

	if (stor_ds_list(NULL, true, -1, STOR_TYPE_ALL, &j) == 0)
		json_decref(j);
	j = NULL;
	if (stor_pool_status(POOL, &j) == 0)
		json_decref(j);
	j = NULL;
	if (stor_ds_get_props(POOL "/fs/child", &j) == 0)
		json_decref(j);
	(void)stor_ds_create(POOL "/fs/new", STOR_TYPE_FILESYSTEM, 0, NULL, false);
	(void)stor_ds_destroy(POOL "/fs@s", 0, NULL);
	(void)stor_pool_scrub(POOL, true, false);
	(void)stor_pool_sync(POOL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!head)
		LLVMFuzzerInitialize(NULL, NULL);
	write_image();
	apply(data, size);
	if (stor_pool_import(POOL, imgdir) == 0) {
		exercise();
		(void)stor_pool_export(POOL, true);
	}
	bs_error_clear();
	return 0;
}
