// SPDX-License-Identifier: MIT
/*
 * console.c - waiting for a zone's console. `zlogin -C` on a zone that is installed but not
 * booted waits, as on SmartOS, for the zone's supervisor to appear: the supervisor opens its
 * socket before it starts the zone's first process, and keeps the console's output from then
 * on, so whoever waited sees the zone's boot from its first line. The wait is on inotify
 * events in the run directory, not on a timer.
 */
#include "zone_impl.h"

#include <sys/inotify.h>
#include <sys/stat.h>

/* True once the zone's supervisor socket exists. */
static bool socket_ready(const char *name)
{
	_cleanup_free_ char *sock = zone_run_path(name, "sock");
	struct stat st;

	return stat(sock, &st) == 0 && S_ISSOCK(st.st_mode);
}

int zone_console_wait(const char *name)
{
	_cleanup_free_ char *base = bs_root_path("run/zones"), *dir = zone_run_path(name, NULL);
	_cleanup_close_ int fd = -1;
	char buf[4096];
	enum zone_state st;
	int r;

	r = zone_state_get(name, &st, NULL);
	if (r < 0)
		return r;
	if (st == ZONE_STATE_CONFIGURED)
		return bs_error(EINVAL, "zone '%s' is not installed", name);
	r = bs_mkdir_p(base, 0700);
	if (r < 0)
		return bs_error(r, "cannot create %s: %s", base, strerror(-r));
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0 || inotify_add_watch(fd, base, IN_CREATE | IN_MOVED_TO) < 0)
		return bs_error(errno, "cannot watch %s: %s", base, strerror(errno));
	for (;;) {
		/* the zone's directory may come and go between boots: watch it while it exists */
		inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO);
		if (socket_ready(name))
			return 0;
		if (read(fd, buf, sizeof(buf)) < 0 && errno != EINTR)
			return bs_error(errno, "cannot wait for zone '%s': %s", name,
					strerror(errno));
	}
}
