// SPDX-License-Identifier: MIT
/*
 * fuzz_mdata_request.c - fuzz target for the metadata server's request parser, the one input a
 * zone sends the host: any bytes must parse to a request that lies inside them, need more, or be
 * refused; never a read outside the buffer.
 */
#include <basalt/mgmt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so that the sanitizer sees any read past the end */
	_cleanup_free_ char *buf = bs_malloc(size ? size : 1);
	struct mgmt_mdata_req q;
	int r;

	memcpy(buf, data, size);
	r = mgmt_mdata_parse(buf, size, &q);
	VERIFY(r == 0 || r == -EAGAIN || r == -EINVAL);
	if (r < 0)
		return 0;
	VERIFY(q.op <= MGMT_MDATA_DELETE);
	VERIFY((q.key == NULL) == (q.op == MGMT_MDATA_KEYS));
	if (q.key)
		VERIFY(q.key >= buf && q.key + q.key_len <= buf + size && q.key_len > 0);
	if (q.value)
		VERIFY(q.value >= buf && q.value + q.value_len <= buf + size);
	return 0;
}
