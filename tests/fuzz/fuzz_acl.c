// SPDX-License-Identifier: MIT
/*
 * fuzz_acl.c - fuzz target for the POSIX ACL lists a setxattr hands the file system
 * (lib/stor/zpl_acl.c). Whatever the bytes, the check must not read past them; a list it accepts
 * must then keep the rules that tie it to the mode: after chmod the list gives exactly the new
 * permission bits, and narrowing it by a create mode never widens it.
 */
#include <basalt/base.h>

#include <string.h>

#include "zpl_acl.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ uint8_t *acl = NULL;
	uint32_t mode, before, after;

	/* an exact-size copy, so that a read past the end is caught by the sanitizers */
	acl = bs_malloc(size ? size : 1);
	memcpy(acl, data, size);
	if (zpl_acl_check(acl, size) < 0)
		return 0;
	mode = size >= 2 ? (uint32_t)(data[size - 2] | data[size - 1] << 8) & 0777 : 0640;
	zpl_acl_chmod(acl, size, mode);
	VERIFY(zpl_acl_mode(acl, size) == mode);
	VERIFY(zpl_acl_check(acl, size) == 0);
	before = zpl_acl_mode(acl, size);
	after = zpl_acl_create_masq(acl, size, mode ^ 0070);
	VERIFY((after & ~before) == 0);
	VERIFY(zpl_acl_is_minimal(acl, size) == (size == 4 + 3 * 8));
	return 0;
}
