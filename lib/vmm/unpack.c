// SPDX-License-Identifier: MIT
/*
 * unpack.c - the ELF vmlinux inside a bzImage, for the PVH entry. A bzImage carries its kernel
 * compressed (the setup header's payload_offset and payload_length) and decompresses it itself
 * once it runs, which costs seconds where the guest runs slowly. Unpacked once on the host, when
 * a VM is provisioned, every later boot enters the uncompressed kernel directly. Only xz, the
 * compression Debian's kernels use, is unpacked; anything else is left as it is.
 */
#include <lzma.h>

#include "vmm_impl.h"

#define XZ_MAGIC "\xfd\x37\x7a\x58\x5a\x00"
#define UNPACK_MAX (1ull << 30) /* no kernel is larger uncompressed */

/* The xz stream at in, decompressed into a new buffer of *ret_len bytes, at most max. */
static int xz_decode(const uint8_t *in, size_t len, uint64_t max, uint8_t **ret, size_t *ret_len)
{
	lzma_stream s = LZMA_STREAM_INIT;
	_cleanup_free_ uint8_t *out = NULL;
	size_t cap = MAX(len * 4, (size_t)1 << 20);
	lzma_ret lr;

	if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK)
		return bs_error(ENOMEM, "cannot start an xz decoder");
	out = bs_malloc(cap);
	s.next_in = in;
	s.avail_in = len;
	s.next_out = out;
	s.avail_out = cap;
	for (;;) {
		lr = lzma_code(&s, LZMA_FINISH);
		if (lr == LZMA_STREAM_END)
			break;
		if (lr != LZMA_OK && lr != LZMA_BUF_ERROR) {
			lzma_end(&s);
			return bs_error(EBADMSG,
					"the bzImage's compressed kernel is corrupt (xz error %d)",
					(int)lr);
		}
		if (s.avail_out > 0) { /* no progress possible: the input ended early */
			lzma_end(&s);
			return bs_error(EBADMSG, "the bzImage's compressed kernel is truncated");
		}
		if (cap >= max) {
			lzma_end(&s);
			return bs_error(EFBIG, "the bzImage's kernel unpacks to more than %llu MiB",
					(unsigned long long)(max >> 20));
		}
		size_t done = cap;

		cap = (size_t)MIN((uint64_t)cap * 2, max);
		out = bs_realloc(out, cap);
		s.next_out = out + done;
		s.avail_out = cap - done;
	}
	*ret_len = (size_t)s.total_out;
	lzma_end(&s);
	*ret = TAKE_PTR(out);
	return 0;
}

int vmm_kernel_unpack(const char *in, const char *out)
{
	struct vmm_image img = { 0 };
	struct vmm_bzimage b;
	struct vmm_elf_info info;
	_cleanup_free_ uint8_t *elf = NULL;
	size_t len = 0;
	int r;

	r = vmm_image_map(in, &img);
	if (r < 0)
		return r;
	bs_error_clear();
	if (vmm_bzimage_parse(img.data, img.len, &b) < 0 || b.zkernel_size < sizeof(XZ_MAGIC) ||
	    memcmp(img.data + b.zkernel_off, XZ_MAGIC, sizeof(XZ_MAGIC) - 1) != 0) {
		bs_error_clear(); /* not a bzImage, or not one compressed with xz: not ours to
				     unpack */
		vmm_image_unmap(&img);
		return 0;
	}
	r = xz_decode(img.data + b.zkernel_off, b.zkernel_size, UNPACK_MAX, &elf, &len);
	vmm_image_unmap(&img);
	if (r < 0)
		return r;
	if (vmm_elf_parse(elf, len, &info) < 0 || info.pvh_entry == 0) {
		bs_error_clear(); /* a kernel without the PVH entry boots as the bzImage it is */
		return 0;
	}
	r = bs_write_file_atomic(out, elf, len, 0644);
	if (r < 0)
		return bs_error(-r, "cannot write the unpacked kernel %s: %s", out, strerror(-r));
	return 1;
}
