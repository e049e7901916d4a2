/* SPDX-License-Identifier: MIT */
/*
 * vmm.h - Basalt's virtual machine monitor on /dev/kvm: the configuration of a VM (kernel,
 * memory, vCPUs, disks, network, console) and the call that runs it until the guest powers
 * off, reboots or is stopped. `basalt vmm run` is a thin front end to vmm_run().
 */
#ifndef BASALT_VMM_H
#define BASALT_VMM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define VMM_MAX_CPUS 32
#define VMM_MAX_DISKS 8
#define VMM_MAX_NETS 4

/* How the guest is entered. */
enum vmm_boot {
	VMM_BOOT_AUTO,	 /* by the kernel file: bzImage, or an ELF vmlinux with a PVH note */
	VMM_BOOT_DIRECT, /* a freestanding ELF entered in 64-bit mode (see docs/design-vmm.md) */
};

enum vmm_console {
	VMM_CONSOLE_STDIO,
	VMM_CONSOLE_PTY,
	VMM_CONSOLE_UNIX,
	VMM_CONSOLE_NONE,
};

struct vmm_disk_config {
	char *path;
	bool readonly;
};

struct vmm_net_config {
	char *tap;
	uint8_t mac[6];
	bool has_mac;
};

struct vmm_config {
	char *kernel;
	char *initrd;
	char *cmdline;
	uint64_t memory_mib;
	bool hugepages; /* guest RAM from the host's 2 MiB huge page pool */
	unsigned int cpus;
	enum vmm_boot boot;
	struct vmm_disk_config disks[VMM_MAX_DISKS];
	unsigned int n_disks;
	struct vmm_net_config nets[VMM_MAX_NETS];
	unsigned int n_nets;
	bool rng;
	enum vmm_console console;
	char *console_path;  /* the Unix socket for VMM_CONSOLE_UNIX */
	char *control;	     /* the control socket, or NULL */
	char *serial2_path;  /* COM2's Unix socket (--serial2 unix:PATH), or NULL */
	bool reboot_restart; /* a guest reboot restarts the guest instead of ending the VMM */
	bool confine;	     /* once set up: drop to confine_uid/gid, seccomp allow-list */
	uint32_t confine_uid;
	uint32_t confine_gid;
	pid_t supervisor; /* the privileged parent whose death ends the VMM, or 0 */
};

/* The ELF vmlinux inside the bzImage IN, written to OUT for the PVH entry: 1 when written, 0
 * when IN is not a bzImage whose xz-compressed kernel has a PVH entry (OUT untouched), negative
 * errno with a message when the compressed kernel is corrupt or OUT cannot be written. */
int vmm_kernel_unpack(const char *in, const char *out);

/* Defaults: 256 MiB, 1 vCPU, console on stdio, virtio-rng on. */
void vmm_config_init(struct vmm_config *c);
void vmm_config_free(struct vmm_config *c);
/* Option values as `basalt vmm run` takes them: "FILE[,ro]", "tap=NAME[,mac=MAC]",
 * "stdio|pty|unix:PATH". -EINVAL with a message on bad input. */
int vmm_config_add_disk(struct vmm_config *c, const char *spec);
int vmm_config_add_net(struct vmm_config *c, const char *spec);
int vmm_config_set_console(struct vmm_config *c, const char *spec);
/* COM2's other end: "unix:PATH", a socket the VMM listens on. */
int vmm_config_set_serial2(struct vmm_config *c, const char *spec);
/* "UID[:GID]": confine the running VMM, as that user */
int vmm_config_set_confine(struct vmm_config *c, const char *spec);
/* "auto" or "direct"; "exit" or "restart" */
int vmm_config_set_boot(struct vmm_config *c, const char *spec);
int vmm_config_set_reboot(struct vmm_config *c, const char *spec);
/* Fill c from a JSON object with the same keys as the long options (kernel, initrd, cmdline,
 * memory, cpus, disks: ["FILE[,ro]"...], nets: ["tap=..."], console, control, rng, boot,
 * reboot, confine: "UID[:GID]", hugepages: true/false). */
int vmm_config_parse_json(struct vmm_config *c, const char *text, const char *what);
/* Check the configuration against the host (files, vCPUs, memory). */
int vmm_config_check(const struct vmm_config *c);

/* Why the guest stopped. */
enum vmm_exit {
	VMM_EXIT_POWEROFF, /* the guest powered off (or a test guest wrote its exit port) */
	VMM_EXIT_REBOOT,   /* the guest rebooted and reboot_restart was not set */
	VMM_EXIT_STOPPED,  /* stopped through the control socket */
	VMM_EXIT_CRASHED,  /* an unrecoverable guest error (bad state, emulation failure) */
};

/* Run the VM described by c to its end. On success *ret_exit says why it ended and *ret_code
 * holds the value a test guest wrote to its exit port (0 otherwise). */
int vmm_run(const struct vmm_config *c, enum vmm_exit *ret_exit, int *ret_code);

#endif
