// SPDX-License-Identifier: MIT
/*
 * confine.c - confinement of a VMM that has finished setting up: it drops to an unprivileged
 * user (65534 unless told otherwise) with no supplementary groups and no capabilities, sets
 * no_new_privs, and installs a seccomp allow-list of the system calls a running VMM makes:
 * KVM_RUN and the interrupt ioctls, reads and writes on its fds (disks, tap, eventfds, console,
 * control socket), epoll, futexes and the signals that stop vCPUs. Anything else ends the
 * process with one line naming the system call. After this the VMM holds only what it opened:
 * /dev/kvm, its disks and its taps.
 */
#include <basalt/json.h>

#include <grp.h>
#include <signal.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>

#include "vmm_impl.h"

static const int confine_syscalls[] = {
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(readv),
	SCMP_SYS(writev),
	SCMP_SYS(pread64),
	SCMP_SYS(pwrite64),
	SCMP_SYS(preadv),
	SCMP_SYS(pwritev),
	SCMP_SYS(fdatasync),
	SCMP_SYS(fsync),
	SCMP_SYS(fallocate),
	SCMP_SYS(close),
	SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait),
	SCMP_SYS(epoll_ctl),
	SCMP_SYS(accept4),
	SCMP_SYS(setsockopt),
	SCMP_SYS(unlink),
	SCMP_SYS(futex),
	SCMP_SYS(getrandom),
	SCMP_SYS(clock_gettime),
	SCMP_SYS(timerfd_settime),
	SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),
	SCMP_SYS(gettid),
	SCMP_SYS(getpid),
	SCMP_SYS(getuid),
	SCMP_SYS(geteuid),
	SCMP_SYS(tgkill),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(madvise),
	SCMP_SYS(munmap),
	SCMP_SYS(mmap),
	SCMP_SYS(mprotect),
	SCMP_SYS(brk),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
	SCMP_SYS(sched_yield),
	SCMP_SYS(restart_syscall),
	SCMP_SYS(rseq),
	SCMP_SYS(set_robust_list),
	SCMP_SYS(clone3),
	SCMP_SYS(clone),
	SCMP_SYS(sched_getaffinity),
};

/* The ioctls a running VM needs: run a vCPU, send an interrupt, restore the terminal. */
static const unsigned long confine_ioctls[] = {
	KVM_RUN, KVM_SIGNAL_MSI, KVM_IOEVENTFD, TCSETS, TCGETS,
};

/* A refused system call: say which, with async-signal-safe calls only, and end. */
static void confine_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char msg[] = "basalt vmm: the seccomp filter refused system call 000\n";
	int nr = si->si_syscall;
	size_t n = strlen(msg);

	for (size_t i = n - 2; nr && i >= n - 4; i--, nr /= 10)
		msg[i] = (char)('0' + nr % 10);
	(void)!write(STDERR_FILENO, msg, n);
	_exit(1);
}

static int confine_seccomp(void)
{
	struct sigaction sa = { .sa_sigaction = confine_sigsys, .sa_flags = SA_SIGINFO };
	scmp_filter_ctx ctx;
	int r;

	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return bs_error(errno, "sigaction: %s", strerror(errno));
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return bs_error(ENOMEM, "cannot build the seccomp filter");
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1); /* the I/O thread runs already */
	for (size_t i = 0; i < ARRAY_SIZE(confine_syscalls) && r == 0; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, confine_syscalls[i], 0);
	for (size_t i = 0; i < ARRAY_SIZE(confine_ioctls) && r == 0; i++) {
		struct scmp_arg_cmp cmd = {
			.arg = 1, .op = SCMP_CMP_EQ, .datum_a = confine_ioctls[i], .datum_b = 0
		};

		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, &cmd);
	}
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		return bs_error(-r, "cannot install the seccomp filter: %s", strerror(-r));
	return 0;
}

int vmm_confine(struct vmm_vm *vm)
{
	const struct vmm_config *c = vm->cfg;
	int r;

	if (!c->confine)
		return 0;
	if (geteuid() == 0) {
		if (setgroups(0, NULL) < 0 ||
		    setresgid(c->confine_gid, c->confine_gid, c->confine_gid) < 0 ||
		    setresuid(c->confine_uid, c->confine_uid, c->confine_uid) < 0)
			return bs_error(errno, "cannot drop privileges to %u:%u: %s",
					c->confine_uid, c->confine_gid, strerror(errno));
	}
	/* the change of user cleared the parent-death signal: set it again, and make sure the
	 * supervisor did not die in between */
	if (c->supervisor > 0 &&
	    (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != c->supervisor))
		return bs_error(ESRCH, "the supervising VMM process %d has gone",
				(int)c->supervisor);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return bs_error(errno, "no_new_privs: %s", strerror(errno));
	/* jansson seeds its hash tables from /dev/urandom on first use, which must not be the
	 * control socket's first answer, after the filter is in place */
	json_object_seed(0);
	r = confine_seccomp();
	if (r < 0)
		return r;
	return 0;
}
