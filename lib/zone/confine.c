// SPDX-License-Identifier: MIT
/*
 * confine.c - what a zone's processes may do, set as the last step before exec in the zone's
 * init and in every process zlogin starts: the capability bounding set reduced to what an
 * unprivileged-looking root needs (no SYS_ADMIN, SYS_MODULE, SYS_TIME, SYS_RAWIO, SYS_PTRACE,
 * NET_ADMIN, MAC_*...), no inheritable or ambient capabilities, no_new_privs, RLIMIT_MEMLOCK
 * from max_locked_memory, and a seccomp filter that answers EPERM to the system calls that
 * reach past the zone (keys, mounts, modules, kexec, bpf, perf, clocks, handles). No open file
 * of the host's but stdio survives the exec.
 */
#include "zone_impl.h"

#include <linux/capability.h>
#include <linux/close_range.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

/* The capabilities a zone keeps; every other one leaves the bounding set. */
static const int caps_kept[] = {
	CAP_CHOWN,    CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,      CAP_FSETID,
	CAP_KILL,     CAP_SETGID,	CAP_SETUID,	     CAP_SETPCAP,     CAP_NET_BIND_SERVICE,
	CAP_NET_RAW,  CAP_SYS_CHROOT,	CAP_MKNOD,	     CAP_AUDIT_WRITE, CAP_SETFCAP,
	CAP_IPC_LOCK, CAP_SYS_BOOT,
};

/* System calls that fail with EPERM inside a zone. */
static const char *const syscalls_denied[] = {
	"keyctl",
	"add_key",
	"request_key",
	"mount",
	"umount2",
	"pivot_root",
	"move_mount",
	"open_tree",
	"fsopen",
	"fsmount",
	"fsconfig",
	"fspick",
	"mount_setattr",
	"kexec_load",
	"kexec_file_load",
	"init_module",
	"finit_module",
	"delete_module",
	"bpf",
	"perf_event_open",
	"open_by_handle_at",
	"name_to_handle_at",
	"clock_settime",
	"clock_adjtime",
	"settimeofday",
	"adjtimex",
	"swapon",
	"swapoff",
	"acct",
	"quotactl",
	"lookup_dcookie",
	"userfaultfd",
	"iopl",
	"ioperm",
	"syslog",
	"setns",
	"unshare",
	"vhangup",
	"uselib",
};

static bool cap_kept(int cap)
{
	for (size_t i = 0; i < ARRAY_SIZE(caps_kept); i++)
		if (caps_kept[i] == cap)
			return true;
	return false;
}

static int drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (!cap_kept(cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return bs_error(errno, "cannot drop capability %d: %s", cap,
					strerror(errno));
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* what is not in the bounding set must not stay permitted or inheritable either */
	if (syscall(SYS_capget, &hdr, data) < 0)
		return bs_error(errno, "cannot read capabilities: %s", strerror(errno));
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		uint32_t bit = 1u << (cap % 32);

		data[cap / 32].inheritable &= ~bit;
		if (!cap_kept(cap)) {
			data[cap / 32].permitted &= ~bit;
			data[cap / 32].effective &= ~bit;
		}
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return bs_error(errno, "cannot set capabilities: %s", strerror(errno));
	return 0;
}

static int load_seccomp(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r = 0;

	if (!ctx)
		return bs_error(ENOMEM, "cannot build the seccomp filter");
	for (size_t i = 0; i < ARRAY_SIZE(syscalls_denied) && r == 0; i++) {
		int nr = seccomp_syscall_resolve_name(syscalls_denied[i]);

		if (nr == __NR_SCMP_ERROR)
			continue; /* not a system call of this architecture */
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
	}
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		return bs_error(-r, "cannot load the seccomp filter: %s", strerror(-r));
	return 0;
}

int zone_confine(const struct zone_config *c)
{
	int r;

	/* nothing the host had open passes into the zone: every fd above stdio closes on exec */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return bs_error(errno, "cannot mark descriptors close-on-exec: %s",
				strerror(errno));

	if (c->caps.max_locked_memory) {
		struct rlimit rl = { .rlim_cur = c->caps.max_locked_memory << 20,
				     .rlim_max = c->caps.max_locked_memory << 20 };

		if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0)
			return bs_error(errno, "cannot set max_locked_memory: %s", strerror(errno));
	}
	r = drop_capabilities();
	if (r < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return bs_error(errno, "cannot set no_new_privs: %s", strerror(errno));
	return load_seccomp();
}
