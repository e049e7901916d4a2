// SPDX-License-Identifier: MIT
/*
 * vmm.c - `basalt vmm run ...`: run one virtual machine on /dev/kvm until its guest powers off
 * or reboots, from options or a JSON file (--config). Thin: the options become a struct
 * vmm_config and lib/vmm does the rest. Exit status: 0 when the guest powered off or rebooted
 * (a test guest's exit-port value otherwise; --reboot-status N: N for a reboot), 1 on an error
 * or a crashed guest, 2 on a usage error. `basalt vmm ctl SOCKET COMMAND` sends one command to
 * a running VMM's control socket and prints its answer.
 */
#include <basalt/base.h>
#include <basalt/vmm.h>

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "tools.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: basalt vmm run --kernel FILE [--initrd FILE] [--cmdline STR] [--memory MiB]\n"
		"                      [--cpus N] [--disk FILE[,ro]]... [--net tap=NAME[,mac=MAC]]...\n"
		"                      [--console stdio|pty|unix:PATH|none] [--control PATH]\n"
		"                      [--boot auto|direct] [--reboot exit|restart] [--no-rng]\n"
		"                      [--confine[=UID[:GID]]] [--hugepages] [--serial2 unix:PATH]\n"
		"                      [--reboot-status N]\n"
		"       basalt vmm run --config FILE\n"
		"       basalt vmm ctl SOCKET info|pause|resume|stop [SECONDS]\n"
		"\n"
		"Run a virtual machine until its guest powers off or reboots, or send a command to\n"
		"a running one's control socket. See vmm(8).\n");
}

enum {
	OPT_KERNEL = 0x100,
	OPT_INITRD,
	OPT_CMDLINE,
	OPT_MEMORY,
	OPT_CPUS,
	OPT_DISK,
	OPT_NET,
	OPT_CONSOLE,
	OPT_CONTROL,
	OPT_BOOT,
	OPT_REBOOT,
	OPT_NO_RNG,
	OPT_CONFIG,
	OPT_CONFINE,
	OPT_HUGEPAGES,
	OPT_SERIAL2,
	OPT_REBOOT_STATUS,
	OPT_HELP,
};

static const struct option run_options[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "net", required_argument, NULL, OPT_NET },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "boot", required_argument, NULL, OPT_BOOT },
	{ "reboot", required_argument, NULL, OPT_REBOOT },
	{ "no-rng", no_argument, NULL, OPT_NO_RNG },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "confine", optional_argument, NULL, OPT_CONFINE },
	{ "hugepages", no_argument, NULL, OPT_HUGEPAGES },
	{ "serial2", required_argument, NULL, OPT_SERIAL2 },
	{ "reboot-status", required_argument, NULL, OPT_REBOOT_STATUS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ 0 },
};

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = bs_strdup(v);
}

static int config_file(struct vmm_config *c, const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = bs_read_file(path, &text, &len);
	if (r < 0)
		return bs_error(-r, "config '%s': %s", path, strerror(-r));
	return vmm_config_parse_json(c, text, path);
}

/* Apply one option; 1 for --help, -EINVAL (with a message) for a bad value. */
static int run_option(struct vmm_config *c, int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case OPT_KERNEL:
		set_str(&c->kernel, arg);
		return 0;
	case OPT_INITRD:
		set_str(&c->initrd, arg);
		return 0;
	case OPT_CMDLINE:
		set_str(&c->cmdline, arg);
		return 0;
	case OPT_CONTROL:
		set_str(&c->control, arg);
		return 0;
	case OPT_MEMORY: /* MiB, or a size with its unit: 512, 512M, 2G */
		if (bs_parse_u64(arg, &v) == 0 && v > 0) {
			c->memory_mib = v;
			return 0;
		}
		if (bs_size_parse(arg, &v) < 0 || v < (1 << 20) || v % (1 << 20))
			return bs_error(EINVAL, "--memory '%s': expected MiB (512) or a size (2G)",
					arg);
		c->memory_mib = v >> 20;
		return 0;
	case OPT_CPUS:
		if (bs_parse_u64(arg, &v) < 0 || v == 0 || v > UINT32_MAX)
			return bs_error(EINVAL, "--cpus '%s': expected a number of vCPUs", arg);
		c->cpus = (unsigned int)v;
		return 0;
	case OPT_DISK:
		return vmm_config_add_disk(c, arg);
	case OPT_NET:
		return vmm_config_add_net(c, arg);
	case OPT_CONSOLE:
		return vmm_config_set_console(c, arg);
	case OPT_BOOT:
		return vmm_config_set_boot(c, arg);
	case OPT_REBOOT:
		return vmm_config_set_reboot(c, arg);
	case OPT_NO_RNG:
		c->rng = false;
		return 0;
	case OPT_CONFIG:
		return config_file(c, arg);
	case OPT_HUGEPAGES:
		c->hugepages = true;
		return 0;
	case OPT_CONFINE:
		return vmm_config_set_confine(c, arg ? arg : "65534");
	case OPT_SERIAL2:
		return vmm_config_set_serial2(c, arg);
	case OPT_HELP:
		return 1;
	default:
		return bs_error(EINVAL, "unknown option; run 'basalt vmm run --help'");
	}
}

/* --reboot-status: the exit status for a guest's reboot (0: the guest's own code) */
static int reboot_status;

/* Run the VM: the exit status of `basalt vmm run`; *ret_why: how the guest ended. */
static int run_vm(struct vmm_config *c, enum vmm_exit *ret_why)
{
	int code, r;

	*ret_why = VMM_EXIT_CRASHED;
	r = vmm_run(c, ret_why, &code);
	if (r < 0) {
		fprintf(stderr, "basalt vmm run: %s\n", bs_strerror(r));
		return 1;
	}
	if (*ret_why == VMM_EXIT_CRASHED)
		return 1;
	if (*ret_why == VMM_EXIT_REBOOT && reboot_status)
		return reboot_status;
	return code & 0xff;
}

static pid_t confined_vmm;
static volatile sig_atomic_t supervisor_signalled;

static void forward_signal(int sig)
{
	supervisor_signalled = sig;
	kill(confined_vmm, sig);
}

/* One run of the guest in a child; *ret_rebooted: it ended by a reboot (told through a pipe,
 * since the exit status is the guest's to choose). The exit status to report. */
static int run_vm_child(struct vmm_config *c, bool *ret_rebooted)
{
	enum vmm_exit why;
	int fds[2], status, r;
	pid_t self = getpid();
	char b = 0;

	*ret_rebooted = false;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		fprintf(stderr, "basalt vmm run: pipe: %s\n", strerror(errno));
		return 1;
	}
	fflush(NULL);
	confined_vmm = fork();
	if (confined_vmm < 0) {
		fprintf(stderr, "basalt vmm run: fork: %s\n", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return 1;
	}
	if (confined_vmm == 0) {
		signal(SIGINT, SIG_DFL); /* this process's handlers are not the child's */
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		close(fds[0]);
		c->supervisor = self; /* killed with it: no guest left running unsupervised */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != self)
			_exit(1);
		status = run_vm(c, &why);
		if (why == VMM_EXIT_REBOOT)
			(void)!write(fds[1], "R", 1);
		_exit(status);
	}
	close(fds[1]);
	while ((r = waitpid(confined_vmm, &status, 0)) < 0 && errno == EINTR)
		;
	*ret_rebooted = read(fds[0], &b, 1) == 1 && b == 'R';
	close(fds[0]);
	if (r < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * A confined VMM cannot set up a VM again (its seccomp filter allows only what a running VM
 * needs, and as an unprivileged user it could not open /dev/kvm, its taps or its sockets'
 * directory), nor, when root confined it, remove its control and console sockets. So each run
 * of the guest happens in a child process, and this one, still privileged and doing nothing
 * else, passes on the signals that end a VMM, starts a new child when the guest rebooted
 * under --reboot restart, removes the sockets at the end, and exits as the last child did.
 * Not for the first process of a PID namespace (a zone's init, as vmadm runs the VMM), which
 * must itself be the confined VMM, and whose sockets its zone holds, unless it restarts.
 */
static int run_vm_supervised(struct vmm_config *c)
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_handler = forward_signal };
	bool restart = c->reboot_restart, rebooted;
	int status;

	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		sigaction(signals[i], &sa, NULL);
	c->reboot_restart = false; /* each child runs the guest once */
	do {
		status = run_vm_child(c, &rebooted);
	} while (restart && rebooted && !supervisor_signalled);
	if (restart && rebooted) /* a signal came between two runs: it ends the VMM */
		status = 128 + supervisor_signalled;
	if (c->control)
		unlink(c->control);
	if (c->console == VMM_CONSOLE_UNIX)
		unlink(c->console_path);
	if (c->serial2_path)
		unlink(c->serial2_path);
	return status;
}

static int vmm_run_main(int argc, char **argv)
{
	struct vmm_config c;
	enum vmm_exit why;
	uint64_t v;
	int opt, r;

	vmm_config_init(&c);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", run_options, NULL)) != -1) {
		if (opt == '?') {
			fprintf(stderr,
				"basalt vmm run: unknown option '%s'; run 'basalt vmm run "
				"--help'\n",
				argv[optind - 1]);
			vmm_config_free(&c);
			return 2;
		}
		/* the status of a guest's reboot is the command's, not the VM's configuration */
		if (opt == OPT_REBOOT_STATUS) {
			r = bs_parse_u64(optarg, &v) == 0 && v >= 1 && v <= 255 ?
				    0 :
				    bs_error(EINVAL, "--reboot-status '%s': expected 1-255",
					     optarg);
			reboot_status = (int)v;
		} else {
			r = run_option(&c, opt, optarg);
		}
		if (r != 0) {
			if (r > 0)
				usage(stdout);
			else
				fprintf(stderr, "basalt vmm run: %s\n", bs_error_msg());
			vmm_config_free(&c);
			return r > 0 ? 0 : 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "basalt vmm run: unexpected argument '%s'\n", argv[optind]);
		vmm_config_free(&c);
		return 2;
	}

	if (c.confine &&
	    (c.reboot_restart || (geteuid() == 0 && getpid() != 1 &&
				  (c.control || c.console == VMM_CONSOLE_UNIX || c.serial2_path))))
		r = run_vm_supervised(&c);
	else
		r = run_vm(&c, &why);
	vmm_config_free(&c);
	return r;
}

/* basalt vmm ctl SOCKET WORD...: the words as one command line, the one-line answer printed */
static int vmm_ctl_main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	char line[256] = "", reply[4096];
	size_t len = 0;
	ssize_t n;
	int r;

	if (argc < 3) {
		usage(stderr);
		return 2;
	}
	if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "basalt vmm ctl: socket path too long\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		int w = snprintf(line + len, sizeof(line) - len, "%s%s", i > 2 ? " " : "", argv[i]);

		if (w < 0 || (size_t)w >= sizeof(line) - len - 1) {
			fprintf(stderr, "basalt vmm ctl: command too long\n");
			return 2;
		}
		len += (size_t)w;
	}
	line[len++] = '\n';
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "basalt vmm ctl: cannot reach '%s': %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	r = bs_write_full(fd, line, len);
	if (r < 0) {
		fprintf(stderr, "basalt vmm ctl: %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	len = 0;
	while (len < sizeof(reply) - 1 && (n = read(fd, reply + len, sizeof(reply) - 1 - len)) > 0)
		len += (size_t)n;
	reply[len] = '\0';
	fputs(reply, stdout);
	return strstr(reply, "\"error\"") ? 1 : 0;
}

int tool_vmm_main(int argc, char **argv)
{
	if (argc >= 2 && streq(argv[1], "run"))
		return vmm_run_main(argc - 1, argv + 1);
	if (argc >= 2 && streq(argv[1], "ctl"))
		return vmm_ctl_main(argc - 1, argv + 1);
	if (argc >= 2 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
