// SPDX-License-Identifier: MIT
/*
 * root.c - the state directory, where the embedded default pool and all of Basalt's state live:
 * $BASALT_ROOT if set (tests give each run its own), else /var/lib/basalt.
 */
#include <basalt/base.h>

#define BS_ROOT_DEFAULT "/var/lib/basalt"

const char *bs_root_dir(void)
{
	const char *s = getenv("BASALT_ROOT");

	return s && *s ? s : BS_ROOT_DEFAULT;
}

char *bs_root_path(const char *rel)
{
	return bs_path_join(bs_root_dir(), rel);
}
