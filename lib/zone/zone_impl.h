/* SPDX-License-Identifier: MIT */
/*
 * zone_impl.h - what lib/zone's files share: the cgroup backends, the zone's root file system,
 * its confinement (capabilities, no_new_privs, seccomp), its network and the wire protocol of
 * the supervisor's socket.
 */
#ifndef BASALT_ZONE_IMPL_H
#define BASALT_ZONE_IMPL_H

#include <basalt/zone.h>

#include <linux/netlink.h>

/* ---- cgroups (cgroup.c) ---- */

/* Create the zone's cgroups with its caps; -EEXIST if they exist. */
int zone_cgroup_create(const struct zone_config *c);
/* Move pid into every one of the zone's cgroups; pid 0 is the caller, which must be
 * single-threaded (the cheap way, used by the zone's first process and zlogin). */
int zone_cgroup_attach(const char *name, pid_t pid);
/* On cgroup v2, an fd of the zone's cgroup (for CLONE_INTO_CGROUP); else -EOPNOTSUPP. */
int zone_cgroup_open_v2(const char *name);
/* Kill whatever still runs in the zone's cgroups and remove them. */
int zone_cgroup_destroy(const char *name);

/* ---- the devices a zone may use (devices.c) ---- */

/* The device number of path, a character device (else an error naming the property). */
int zone_device_stat(const char *path, dev_t *ret);
/* v1: call allow(dir, "c MAJ:MIN rwm") for each device zone c may use. */
int zone_devices_v1_allow(const struct zone_config *c,
			  int (*allow)(const char *dir, const char *rule), const char *dir);
/* v2: attach to the cgroup directory a BPF program that allows those devices only. */
int zone_devices_v2_attach(const struct zone_config *c, const char *cgroup_dir);

/* ---- the root file system (rootfs.c), run in the zone's new mount namespace ---- */

/* Build the zone's mounts under its root and pivot into it; console is the path of the pty the
 * supervisor holds, bound to /dev/console. */
int zone_rootfs_setup(const struct zone_config *c, const char *console);
/* Inside the zone, after the pivot: /etc/resolv.conf from the resolvers. */
int zone_rootfs_resolvers(const struct zone_config *c);

/* ---- confinement (confine.c): the last step before exec, for init and for zlogin ---- */

int zone_confine(const struct zone_config *c);

/* ---- netlink (netlink.c): messages built in a buffer, sent at once, all acks awaited ---- */

struct zone_nl {
	int fd;
	uint32_t seq;
	unsigned acks;	      /* replies the messages in buf ask for */
	struct nlmsghdr *cur; /* the message attributes go to */
	size_t len;
	char *buf; /* ZONE_NL_BUF bytes: a zone's whole anti-spoofing table fits */
};
#define ZONE_NL_BUF (64 * 1024)

int zone_nl_open(struct zone_nl *nl, int protocol);
void zone_nl_close(struct zone_nl *nl);
/* Start a message: its header, then hdrlen bytes of family header, returned zeroed. */
void *zone_nl_msg(struct zone_nl *nl, uint16_t type, uint16_t flags, size_t hdrlen);
/* len zeroed bytes in the message: a family header inside a nest (a veth's peer) */
void *zone_nl_extra(struct zone_nl *nl, size_t len);
void zone_nl_put(struct zone_nl *nl, uint16_t type, const void *data, size_t len);
void zone_nl_put_u32(struct zone_nl *nl, uint16_t type, uint32_t v);
void zone_nl_put_str(struct zone_nl *nl, uint16_t type, const char *s);
struct nlattr *zone_nl_nest(struct zone_nl *nl, uint16_t type);
void zone_nl_end(struct zone_nl *nl, struct nlattr *nest);
/* Send every message built, wait for each acknowledgement; the first error, or 0. */
int zone_nl_talk(struct zone_nl *nl);

/* ---- network (net.c) ---- */

/* On the host: the bridges and veth pairs of c's NICs, zone ends moved into the network
 * namespace of pid and named after the NICs. */
int zone_net_host_setup(const struct zone_config *c, pid_t pid);
/* Inside the zone's network namespace: lo, the NICs' addresses, MTUs and routes. */
int zone_net_zone_setup(const struct zone_config *c);
/* On the host: remove c's veths, filters and the bridges left without ports. */
void zone_net_host_teardown(const struct zone_config *c);

/* The host-side names of zone c: a hash of the state directory and the zone's name, and the
 * host end of NIC idx's veth from it (bzHASHnIDX, 15 characters at most). */
uint32_t zone_host_hash(const struct zone_config *c);
void zone_host_ifname(const struct zone_config *c, size_t idx, char buf[16]);

/* ---- anti-spoofing (antispoof.c): bridge-family nftables rules on the host ends ---- */

int zone_antispoof_add(const struct zone_config *c);
void zone_antispoof_remove(const struct zone_config *c);

/* ---- the supervisor's socket: one request line, then the reply or the console stream ---- */
#define ZONE_REQ_HALT "halt"
#define ZONE_REQ_SHUTDOWN "shutdown" /* "shutdown SECONDS" */
#define ZONE_REQ_CONSOLE "console"
/* The name of the host-side objects of zone name (cgroups, veths): unique per state dir. */
uint32_t zone_root_hash(void);

#endif
