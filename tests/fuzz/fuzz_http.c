// SPDX-License-Identifier: MIT
/*
 * fuzz_http.c - fuzz target for imgadm's HTTP client (lib/mgmt/http.c), whose input is whatever
 * an image server answers: any bytes must parse to a head that lies inside them, need more or be
 * refused; read as a whole response (from a file standing for the connection) they must give a
 * body within the bound, or an error, never a read or write outside a buffer.
 */
#include <basalt/mgmt.h>

#include <sys/mman.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_BODY_MAX 4096

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so that the sanitizer sees any read past the end */
	_cleanup_free_ char *buf = bs_malloc(size ? size : 1), *body = NULL;
	_cleanup_close_ int fd = memfd_create("fuzz-http", MFD_CLOEXEC);
	struct mgmt_http_head h;
	size_t len = 0;
	int r;

	memcpy(buf, data, size);
	r = mgmt_http_parse_head(buf, size, &h);
	VERIFY(r == -EAGAIN || r == -EINVAL || (r > 0 && (size_t)r <= size));
	if (r > 0)
		VERIFY(h.status >= 0 && h.status <= 999 && h.content_length >= -1 &&
		       memchr(h.location, '\0', sizeof(h.location)));

	VERIFY(fd >= 0 && bs_write_full(fd, data, size) == 0 && lseek(fd, 0, SEEK_SET) == 0);
	r = mgmt_http_read_response(fd, -1, FUZZ_BODY_MAX, &h, &body, &len);
	if (r == 0 && body)
		VERIFY(len <= FUZZ_BODY_MAX && body[len] == '\0');
	return 0;
}
