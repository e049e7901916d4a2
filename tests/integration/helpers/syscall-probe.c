// SPDX-License-Identifier: MIT
/*
 * syscall-probe.c - run inside a zone by zone_isolation.sh (built static, copied into the zone's
 * root): calls each system call the zone's seccomp filter must refuse, with arguments that would
 * change nothing even if it were allowed (invalid clocks, null pointers, a tmpfs on the zone's
 * own /tmp), and prints "name errno-name" for each, so the test can require EPERM everywhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void report(const char *name, long r)
{
	printf("%s %s\n", name, r < 0 ? strerrorname_np(errno) : "allowed");
}

int main(void)
{
	struct timespec bad_ts = { .tv_sec = 0, .tv_nsec = -1 };
	struct timeval bad_tv = { .tv_sec = 0, .tv_usec = -1 };

	report("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
	report("add_key", syscall(SYS_add_key, "user", "probe", "x", 1, -3));
	report("request_key", syscall(SYS_request_key, "user", "probe", NULL, 0));
	report("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
	report("umount2", umount2("/proc", MNT_DETACH));
	report("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
	report("init_module", syscall(SYS_init_module, NULL, 0, ""));
	report("finit_module", syscall(SYS_finit_module, -1, "", 0));
	report("delete_module", syscall(SYS_delete_module, "probe", 0));
	report("bpf", syscall(SYS_bpf, 0, NULL, 0));
	report("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
	report("open_by_handle_at", syscall(SYS_open_by_handle_at, -1, NULL, 0));
	report("clock_settime", syscall(SYS_clock_settime, CLOCK_REALTIME, &bad_ts));
	report("settimeofday", syscall(SYS_settimeofday, &bad_tv, NULL));
	report("unshare", syscall(SYS_unshare, 0x10000000 /* CLONE_NEWUSER */));
	report("setns", syscall(SYS_setns, -1, 0));
	return 0;
}
