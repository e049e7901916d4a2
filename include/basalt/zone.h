/* SPDX-License-Identifier: MIT */
/*
 * zone.h - zones, Basalt's OS containers: a configuration in vmadm's property names, kept under
 * the state directory; the per-zone supervisor that builds the zone out of namespaces, cgroups,
 * a pivoted root, a reduced capability set and a seccomp filter, holds its console and reports
 * its state; and the ways in (zlogin's command, shell and console).
 */
#ifndef BASALT_ZONE_H
#define BASALT_ZONE_H

#include <basalt/base.h>
#include <basalt/json.h>

#include <sys/types.h>

#define ZONE_NAME_MAX 64

/* ---- configuration (config.c) ---- */

/* kvm: the zone of a VM, whose NICs are its guest's (see zone_tap_name) */
enum zone_brand { ZONE_BRAND_JOYENT, ZONE_BRAND_JOYENT_MINIMAL, ZONE_BRAND_KVM };
/* A kvm zone's init (the VMM) exits with this status when its guest rebooted: the zone is
 * started again, as a zone whose init called reboot(2). */
#define ZONE_KVM_REBOOT_STATUS 200

struct zone_nic {
	char *interface; /* net0, net1... */
	char *nic_tag;	 /* the bridge the host end joins */
	char **ips;	 /* CIDR, NULL-terminated */
	char **gateways; /* NULL-terminated */
	unsigned char mac[6];
	unsigned mtu;	  /* 0: the kernel's default */
	unsigned vlan_id; /* 0: untagged */
	bool allow_ip_spoofing, allow_mac_spoofing;
};

struct zone_fs {
	char *source, *target; /* target inside the zone root */
	bool readonly;
};

/* Caps: 0 means "no cap" for every field but cpu_shares and zfs_io_priority (defaults). */
struct zone_caps {
	uint64_t max_physical_memory; /* MiB */
	uint64_t max_swap;	      /* MiB, memory plus swap as on SmartOS */
	uint64_t max_locked_memory;   /* MiB */
	uint64_t cpu_cap;	      /* percent of one CPU */
	uint64_t cpu_shares;	      /* default 100 */
	uint64_t max_lwps;
	uint64_t zfs_io_priority; /* default 100 */
};

struct zone_config {
	char *zonename, *alias, *uuid, *zoneroot, *hostname;
	enum zone_brand brand;
	char **resolvers; /* NULL-terminated */
	char **init;	  /* argv of the zone's first process, NULL-terminated */
	struct zone_caps caps;
	struct zone_nic *nics;
	size_t n_nics;
	struct zone_fs *filesystems;
	size_t n_filesystems;
	uint32_t uid_base, uid_count; /* user namespace: zone uid 0 is host uid_base; 0: none */
	char **devices; /* extra character devices, host paths under /dev, held at the same path */
	size_t n_devices;
};

bool zone_name_valid(const char *name);
/* Build a configuration from its JSON; name (from -z) must match a zonename given in it. The
 * first problem found is the error, "PROPERTY: what is wrong". */
int zone_config_from_json(json_t *j, const char *name, struct zone_config **ret);
json_t *zone_config_to_json(const struct zone_config *c);
void zone_config_free(struct zone_config *c);
void zone_config_freep(struct zone_config **c);
#define _cleanup_zone_config_ _cleanup_(zone_config_freep)
/* Every device of c is a character device of this host, and no two are one device: checked
 * when a zone is defined by hand and at every boot, not by the store, so that a zone that came
 * with its pool is defined on a host that lacks its devices (it just cannot boot there). */
int zone_devices_check(const struct zone_config *c);
/* Change resource controls from "PROPERTY=VALUE" texts (zonecfg set), checked together; 0
 * removes a cap. Nothing changes if one is wrong. */
int zone_config_set(struct zone_config *c, char *const *assignments, size_t n);
const char *zone_brand_name(enum zone_brand b);

/* In a kvm zone, the tap of NIC idx inside the zone (vtapIDX), bridged to the NIC and owned by
 * the zone's root: the VMM opens it by this name. */
void zone_tap_name(size_t idx, char buf[16]);

/* ---- the store under the state directory (store.c) ---- */

enum zone_state {
	ZONE_STATE_CONFIGURED,
	ZONE_STATE_INSTALLED,
	ZONE_STATE_READY,
	ZONE_STATE_RUNNING,
	ZONE_STATE_SHUTTING_DOWN,
	ZONE_STATE_DOWN,
	ZONE_STATE_FAILED,
};
const char *zone_state_name(enum zone_state s);
int zone_state_parse(const char *s, enum zone_state *ret);

/* Define a new zone (-EEXIST if the name or uuid is taken, -EADDRINUSE for an IP another
 * zone uses); replace the configuration of an existing one. */
int zone_store_create(const struct zone_config *c);
int zone_store_update(const struct zone_config *c);
int zone_store_load(const char *name, struct zone_config **ret);
/* Remove a zone's configuration; it must not be running. */
int zone_store_delete(const char *name);
/* The names of all configured zones, sorted, NULL-terminated. */
int zone_store_list(char ***ret_names);
/* The persistent state: configured or installed. */
int zone_store_set_installed(const char *name, bool installed);
/* The zone's state: the supervisor's when it runs, else the persistent one. ret_init_pid gets
 * the zone's init pid when it runs (else 0). */
int zone_state_get(const char *name, enum zone_state *ret, pid_t *ret_init_pid);
/* $BASALT_ROOT/run/zones/NAME[/FILE]; caller frees. */
char *zone_run_path(const char *name, const char *file);
void zone_strv_free(char **v);

/* ---- the supervisor (supervisor.c) ---- */

enum zone_boot_flags {
	ZONE_BOOT_WAIT = 1 << 0, /* stay in the foreground until the zone halts */
};
/* Boot an installed zone: the calling process forks the supervisor (or becomes it with
 * ZONE_BOOT_WAIT) and returns once the zone runs or failed to. With ZONE_BOOT_WAIT,
 * ret_status gets the zone's first process's exit status (as waitpid's) once it halted. */
int zone_boot(const char *name, int flags, int *ret_status);
/* Ask the supervisor to stop the zone: kill everything now (halt), or signal init and wait up
 * to timeout_s seconds before killing (shutdown); reboot halts and boots again. Returns once
 * the zone is torn down. */
int zone_halt(const char *name);
int zone_shutdown(const char *name, unsigned timeout_s);
int zone_reboot(const char *name);
/* Connect to the zone's console, as a socket that carries it both ways. */
int zone_console_open(const char *name, int *ret_fd);
/* Wait until the installed zone name is booted far enough to open its console (its supervisor
 * exists); its console output is kept from then on (console.c). */
int zone_console_wait(const char *name);

/* ---- resource controls (cgroup.c) ---- */

struct zone_usage {
	uint64_t rss, cap, swap, swap_cap, nover; /* bytes, bytes, times over the cap */
	uint64_t lwps, cpu_ns;
};
/* Apply the caps of c to the running zone's cgroups. */
int zone_caps_apply(const struct zone_config *c);
int zone_usage_get(const char *name, struct zone_usage *ret);

/* ---- entering a running zone (enter.c) ---- */

/* Fork a process inside the zone's namespaces and cgroups, confined as the zone's processes are,
 * with stdio on the given fds (-1: inherit), optionally a controlling terminal (tty_fd), and
 * exec argv in it. Returns its pid (a child of the caller). */
int zone_enter_exec(const char *name, char *const argv[], int tty_fd, pid_t *ret_pid);

#endif
