/* SPDX-License-Identifier: MIT */
/*
 * zpl_acl.h - POSIX access control lists in the form the kernel hands them over as extended
 * attributes (system.posix_acl_access, system.posix_acl_default), and the rules that tie an
 * ACL to a file's mode bits. Pure functions on buffers; zpl.c stores the lists.
 */
#ifndef STOR_ZPL_ACL_H
#define STOR_ZPL_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZPL_ACL_ACCESS "system.posix_acl_access"
#define ZPL_ACL_DEFAULT "system.posix_acl_default"

/* Which ACL a name is: 1 the access ACL, 2 the default ACL, 0 neither. */
int zpl_acl_kind(const char *name);
/* A well-formed ACL: version 2, valid tags and permissions, one owner, group and other entry,
 * a mask when named users or groups appear, at most one mask. -EINVAL otherwise. */
int zpl_acl_check(const void *buf, size_t len);
/* An access ACL that says no more than mode bits do (owner, group and other only). */
bool zpl_acl_is_minimal(const void *buf, size_t len);
/* The permission bits an access ACL gives: owner, mask (or group without one), other. */
uint32_t zpl_acl_mode(const void *buf, size_t len);
/* chmod of a file with an access ACL: its owner, mask (or group) and other entries follow the
 * new mode's bits. */
void zpl_acl_chmod(void *buf, size_t len, uint32_t mode);
/* A new file in a directory with a default ACL gets a copy of it as its access ACL, narrowed by
 * the mode it was created with; returns the permission bits the result gives. */
uint32_t zpl_acl_create_masq(void *buf, size_t len, uint32_t mode);

#endif
