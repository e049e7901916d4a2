// SPDX-License-Identifier: MIT
/*
 * fuzz_mdata_v2.c - fuzz target for the parser of version 2 of the metadata protocol, what a kvm
 * guest sends the host over its second serial port: any line must parse to a frame whose parts
 * lie inside it (and whose CRC and length were right), or be refused; a parsed frame made into a
 * request must decode to a key and value of their own buffer, or be refused; never a read
 * outside the line.
 */
#include <basalt/mgmt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static bool inside(const char *p, size_t n, const char *buf, size_t size)
{
	return p >= buf && p + n <= buf + size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so that the sanitizer sees any read past the end */
	_cleanup_free_ char *buf = bs_malloc(size ? size : 1), *owned = NULL;
	struct mgmt_mdata_v2 f;
	struct mgmt_mdata_req q;
	int r;

	memcpy(buf, data, size);
	r = mgmt_mdata_v2_parse(buf, size, &f);
	VERIFY(r == 0 || r == -EINVAL);
	if (r < 0)
		return 0;
	VERIFY(inside(f.id, f.id_len, buf, size) && f.id_len > 0 && f.id_len <= 8);
	VERIFY(inside(f.word, f.word_len, buf, size) && f.word_len > 0);
	VERIFY(!f.arg || (inside(f.arg, f.arg_len, buf, size) && f.arg_len > 0));
	r = mgmt_mdata_v2_request(&f, &q, &owned);
	VERIFY(r == 0 || r == -EINVAL);
	if (r < 0)
		return 0;
	VERIFY((q.key == NULL) == (q.op == MGMT_MDATA_KEYS));
	if (q.key)
		VERIFY(q.key == owned && q.key_len > 0 && strlen(q.key) == q.key_len);
	if (q.value)
		VERIFY(q.value == owned + q.key_len + 1 && q.value_len <= MGMT_MDATA_MAX_VALUE);
	return 0;
}
