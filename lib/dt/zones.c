// SPDX-License-Identifier: MIT
/*
 * zones.c - zonename: the map from PID namespace inode numbers to zone names that the BPF side
 * of `zonename` looks up. Each running zone publishes the inode of its PID namespace in
 * $BASALT_ROOT/run/zones/<name>/pidns; the consumer reads them at start and while tracing, so
 * a zone booted after dtrace started is named too. A process in no zone's namespace is in
 * "global".
 */
#include "dt_impl.h"

#include <bpf/bpf.h>
#include <dirent.h>

int dt_zones_fill(struct dt_program *p)
{
	_cleanup_free_ char *dir = bs_root_path("run/zones");
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		_cleanup_free_ char *path = NULL, *buf = NULL;
		char name[DT_ZONENAME_LEN];
		uint64_t ino;
		uint32_t key;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(name))
			continue;
		path = bs_asprintf("%s/%s/pidns", dir, e->d_name);
		if (bs_read_file(path, &buf, NULL) < 0)
			continue;
		buf[strcspn(buf, "\n")] = 0;
		if (bs_parse_u64(buf, &ino) < 0 || ino > UINT32_MAX)
			continue;
		key = (uint32_t)ino;
		memset(name, 0, sizeof(name));
		memcpy(name, e->d_name, strlen(e->d_name));
		bpf_map_update_elem(p->zones_fd, &key, name, BPF_ANY);
	}
	closedir(d);
	return 0;
}
