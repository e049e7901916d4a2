/* SPDX-License-Identifier: MIT */
/*
 * zpl_acl.c - POSIX.1e ACLs as the kernel passes them (the xattr form: a 4-byte version, 2,
 * then 8-byte entries of tag, permissions and id, little-endian), and how they and the mode
 * bits stay one: the owner entry is the owner's bits, the mask entry (or the owning group's
 * entry when there is no mask) the group bits, the other entry the other bits. The kernel checks
 * permissions against the lists; the file system keeps them and keeps them in step with chmod
 * and with the default ACL of the directory a file is created in.
 */
#include <errno.h>
#include <string.h>

#include "zpl_acl.h"

#define ACL_VERSION 2u
#define HDR_SIZE 4u
#define ENTRY_SIZE 8u
#define ACL_MAX_ENTRIES 4096u

enum acl_tag {
	TAG_USER_OBJ = 0x01,
	TAG_USER = 0x02,
	TAG_GROUP_OBJ = 0x04,
	TAG_GROUP = 0x08,
	TAG_MASK = 0x10,
	TAG_OTHER = 0x20,
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static size_t entries(size_t len)
{
	return (len - HDR_SIZE) / ENTRY_SIZE;
}

int zpl_acl_kind(const char *name)
{
	if (strcmp(name, ZPL_ACL_ACCESS) == 0)
		return 1;
	if (strcmp(name, ZPL_ACL_DEFAULT) == 0)
		return 2;
	return 0;
}

int zpl_acl_check(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	unsigned user_obj = 0, group_obj = 0, other = 0, mask = 0, named = 0;

	if (len < HDR_SIZE || (len - HDR_SIZE) % ENTRY_SIZE || entries(len) > ACL_MAX_ENTRIES)
		return -EINVAL;
	if ((uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24) != ACL_VERSION)
		return -EINVAL;
	for (size_t i = 0; i < entries(len); i++) {
		const uint8_t *e = p + HDR_SIZE + i * ENTRY_SIZE;

		if (get16(e + 2) & ~7u)
			return -EINVAL;
		switch (get16(e)) {
		case TAG_USER_OBJ:
			user_obj++;
			break;
		case TAG_GROUP_OBJ:
			group_obj++;
			break;
		case TAG_OTHER:
			other++;
			break;
		case TAG_MASK:
			mask++;
			break;
		case TAG_USER:
		case TAG_GROUP:
			named++;
			break;
		default:
			return -EINVAL;
		}
	}
	if (user_obj != 1 || group_obj != 1 || other != 1 || mask > 1 || (named && !mask))
		return -EINVAL;
	return 0;
}

bool zpl_acl_is_minimal(const void *buf, size_t len)
{
	return entries(len) == 3;
}

/* The entry with tag, or NULL. */
static uint8_t *find(void *buf, size_t len, enum acl_tag tag)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < entries(len); i++)
		if (get16(p + HDR_SIZE + i * ENTRY_SIZE) == tag)
			return p + HDR_SIZE + i * ENTRY_SIZE;
	return NULL;
}

/* The entry that carries the group bits: the mask, or the owning group's without one. */
static uint8_t *group_bits(void *buf, size_t len)
{
	uint8_t *e = find(buf, len, TAG_MASK);

	return e ? e : find(buf, len, TAG_GROUP_OBJ);
}

uint32_t zpl_acl_mode(const void *buf, size_t len)
{
	void *b = (void *)buf; /* (find does not write) */

	return (uint32_t)get16(find(b, len, TAG_USER_OBJ) + 2) << 6 |
	       (uint32_t)get16(group_bits(b, len) + 2) << 3 | get16(find(b, len, TAG_OTHER) + 2);
}

void zpl_acl_chmod(void *buf, size_t len, uint32_t mode)
{
	put16(find(buf, len, TAG_USER_OBJ) + 2, (uint16_t)(mode >> 6 & 7));
	put16(group_bits(buf, len) + 2, (uint16_t)(mode >> 3 & 7));
	put16(find(buf, len, TAG_OTHER) + 2, (uint16_t)(mode & 7));
}

uint32_t zpl_acl_create_masq(void *buf, size_t len, uint32_t mode)
{
	uint8_t *owner = find(buf, len, TAG_USER_OBJ), *group = group_bits(buf, len);
	uint8_t *other = find(buf, len, TAG_OTHER);

	put16(owner + 2, (uint16_t)(get16(owner + 2) & (mode >> 6 & 7)));
	put16(group + 2, (uint16_t)(get16(group + 2) & (mode >> 3 & 7)));
	put16(other + 2, (uint16_t)(get16(other + 2) & (mode & 7)));
	return zpl_acl_mode(buf, len);
}
