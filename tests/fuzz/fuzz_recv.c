// SPDX-License-Identifier: MIT
/*
 * fuzz_recv.c - fuzz target for the receive path, the parser of the most hostile input the
 * storage engine takes. Each input goes through three doors: the stream reader alone; a full
 * receive into a scratch pool exactly as given (so a damaged checksum must be caught); and a full
 * receive after every record header and END checksum has been recomputed, so that mutations
 * reach the field checks and the applier instead of dying at a checksum. After a failed receive
 * the destination must not exist; after a successful one it is destroyed for the next input.
 *
 * Built with clang's -fsanitize=fuzzer it is a libFuzzer target; built without, main() runs every
 * file named on the command line (a directory: every file in it; nothing: the seed corpus) once
 * and reports each as a TAP case.
 */
#include <basalt/base.h>
#include <basalt/stor.h>

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "stream.h"

#define FUZZ_POOL "fuzzrecv"
#define FUZZ_TARGET FUZZ_POOL "/recv"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static bool pool_ready;

static void fuzz_cleanup_dir(void)
{
	const char *root = getenv("BASALT_ROOT");
	_cleanup_free_ char *cmd = NULL;

	stor_pool_export_all();
	stor_fini();
	if (root && bs_startswith(root, "/tmp/basalt-fuzz-recv.")) {
		cmd = bs_asprintf("rm -rf '%s'", root);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz_recv: cannot remove %s\n", root);
	}
}

/* A scratch pool on a file in a temporary state directory, made once per process. */
static void pool_setup(void)
{
	char tmpl[] = "/tmp/basalt-fuzz-recv.XXXXXX";
	_cleanup_free_ char *dev = NULL;
	struct stor_pool_create_opts o = { 0 };
	char *spec[1];
	int fd, r;

	if (!mkdtemp(tmpl)) {
		perror("fuzz_recv: mkdtemp");
		abort();
	}
	setenv("BASALT_ROOT", tmpl, 1);
	dev = bs_path_join(tmpl, "pool.img");
	fd = open(dev, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, 128 << 20) < 0) {
		perror("fuzz_recv: pool file");
		abort();
	}
	close(fd);
	spec[0] = dev;
	o.mountpoint = "none";
	r = stor_init();
	if (r == 0)
		r = stor_pool_create(FUZZ_POOL, 1, spec, &o);
	if (r < 0) {
		fprintf(stderr, "fuzz_recv: cannot create the scratch pool: %s\n", bs_strerror(r));
		abort();
	}
	atexit(fuzz_cleanup_dir);
	pool_ready = true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	pool_setup();
	return 0;
}

static int memfd_of(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-recv", MFD_CLOEXEC);

	VERIFY(fd >= 0);
	VERIFY0(bs_write_full(fd, data, size));
	VERIFY(lseek(fd, 0, SEEK_SET) == 0);
	return fd;
}

/* The reader alone: it must end in a record count or an error, never a crash. */
static void parse_only(const uint8_t *data, size_t size)
{
	_cleanup_close_ int fd = memfd_of(data, size);
	struct stream_reader *rd;
	struct stream_rec rec;
	const void *p;

	VERIFY0(stream_reader_new(fd, &rd));
	while (stream_read_record(rd, &rec, &p) > 0)
		VERIFY(stream_reader_offset(rd) <= size);
	stream_reader_free(rd);
}

static void seal(struct stream_rec *rec)
{
	unsigned len = sizeof(rec->hdr_cksum);

	VERIFY(EVP_Digest(rec, offsetof(struct stream_rec, hdr_cksum), rec->hdr_cksum, &len,
			  EVP_sha256(), NULL) == 1);
}

/*
 * A copy of the input whose headers (at the offsets their payload lengths lead to) carry correct
 * checksums, whose REPL record carries its payload's SHA-256, and whose END records carry the
 * checksum (of the version their BEGIN names) and count of their substream.
 */
static uint8_t *reseal(const uint8_t *data, size_t size)
{
	uint8_t *out = bs_malloc(size ? size : 1);
	struct stream_cksum ck;
	uint64_t records = 0;
	size_t pos = 0;
	unsigned len;

	memcpy(out, data, size);
	stream_cksum_init(&ck, STREAM_VERSION);
	while (size - pos >= STREAM_REC_SIZE) {
		struct stream_rec rec;
		uint64_t plen;

		memcpy(&rec, out + pos, sizeof(rec));
		plen = MIN(rec.payload_len, size - pos - sizeof(rec));
		if (rec.type == STREAM_BEGIN) {
			uint32_t v = rec.u.begin.version;

			stream_cksum_init(&ck, v >= STREAM_VERSION_MIN && v <= STREAM_VERSION ?
						       v :
						       STREAM_VERSION);
			records = 0;
		}
		if (rec.type == STREAM_REPL) {
			len = sizeof(rec.u.repl.sha256);
			VERIFY(EVP_Digest(out + pos + sizeof(rec), plen, rec.u.repl.sha256, &len,
					  EVP_sha256(), NULL) == 1);
		}
		if (rec.type == STREAM_END) {
			stream_cksum_final(&ck, rec.u.end.cksum);
			stream_cksum_init(&ck, ck.version);
			rec.u.end.records = records;
			records = 0;
		}
		seal(&rec);
		memcpy(out + pos, &rec, sizeof(rec));
		if (rec.type != STREAM_END) {
			stream_cksum_update(&ck, &rec, sizeof(rec));
			stream_cksum_update(&ck, out + pos + sizeof(rec), plen);
			records++;
		}
		pos += sizeof(rec) + plen;
	}
	return out;
}

static void receive(const uint8_t *data, size_t size)
{
	struct stor_recv_opts o = { .nomount = true };
	_cleanup_close_ int fd = memfd_of(data, size);
	json_t *props = NULL;
	int r;

	r = stor_recv(FUZZ_TARGET, &o, fd, NULL);
	if (r == 0) {
		VERIFY0(stor_ds_destroy(FUZZ_TARGET, STOR_DESTROY_RECURSIVE, NULL));
		return;
	}
	/* a failed receive leaves nothing half-done: of a stream of several snapshots, those that
	 * arrived whole before the one that failed stay, so a target left behind holds some */
	if (stor_ds_get_props(FUZZ_TARGET, &props) == 0) {
		json_t *snaps = NULL;
		size_t n;

		json_decref(props);
		VERIFY0(stor_ds_list((const char *const[]){ FUZZ_TARGET, NULL }, true, 1,
				     STOR_TYPE_SNAPSHOT, &snaps));
		n = json_array_size(snaps);
		json_decref(snaps);
		if (n == 0) {
			fprintf(stderr, "fuzz_recv: a failed receive (%s) left %s behind\n",
				bs_strerror(r), FUZZ_TARGET);
			abort();
		}
		VERIFY0(stor_ds_destroy(FUZZ_TARGET, STOR_DESTROY_RECURSIVE, NULL));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ uint8_t *sealed = NULL;

	if (!pool_ready)
		pool_setup();
	parse_only(data, size);
	receive(data, size);
	sealed = reseal(data, size);
	parse_only(sealed, size);
	receive(sealed, size);
	return 0;
}
