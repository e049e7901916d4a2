// SPDX-License-Identifier: MIT
/*
 * net.c - a zone's network: each NIC is a veth pair made over rtnetlink (netlink.c, no tool runs):
 * the host end joins the bridge named after the NIC's nic_tag (made on first use, SmartOS's
 * etherstub; a NIC with a vlan_id joins a bridge of its tag and VLAN, so VLANs do not meet),
 * the zone end is created directly in the zone's network namespace with the NIC's name, MAC
 * and MTU; inside the zone, lo and the NICs come up with their addresses and default routes.
 * Host-side names carry a hash of the state directory (bridges) and of the zone (veths)
 * so that separate state directories never meet. Anti-spoofing is antispoof.c's.
 *
 * A kvm zone's NICs belong to its guest: the zone end of NIC i gets a MAC of the kernel's
 * choosing and no address; a bridge vbrI inside the zone joins it to a persistent tap vtapI
 * owned by the zone's root, which the VMM opens by name without NET_ADMIN. The guest's frames
 * reach the host end as the NIC's own MAC and addresses, so the host's anti-spoofing applies to
 * the guest; the VMM can do nothing else with the network (the zone has no address, no route,
 * and its processes no NET_ADMIN). The taps end with the zone's network namespace.
 */
#include "zone_impl.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <linux/if_tun.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>

/* Start an rtnetlink link message for interface index (0: by name). */
static struct ifinfomsg *link_msg(struct zone_nl *nl, uint16_t type, uint16_t flags, int index)
{
	struct ifinfomsg *ifi = zone_nl_msg(nl, type, NLM_F_ACK | flags, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	return ifi;
}

static int link_up(struct zone_nl *nl, int index, unsigned mtu)
{
	struct ifinfomsg *ifi = link_msg(nl, RTM_NEWLINK, 0, index);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (mtu)
		zone_nl_put_u32(nl, IFLA_MTU, mtu);
	return zone_nl_talk(nl);
}

static int link_del(struct zone_nl *nl, const char *ifname)
{
	link_msg(nl, RTM_DELLINK, 0, 0);
	zone_nl_put_str(nl, IFLA_IFNAME, ifname);
	return zone_nl_talk(nl);
}

/* ---- names ---- */

/* The bridge of a nic_tag: bbHASH_TAG; with a VLAN, a bridge of its own for that tag and VLAN
 * (bvHASH, of the state directory, tag and VLAN), so that VLANs on one host never meet. */
static void bridge_name(const struct zone_nic *nic, char buf[IFNAMSIZ])
{
	uint32_t h = zone_root_hash();

	if (!nic->vlan_id) {
		snprintf(buf, IFNAMSIZ, "bb%04x_%s", h & 0xffff, nic->nic_tag);
		return;
	}
	for (const char *p = nic->nic_tag; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ nic->vlan_id) * 16777619u;
	snprintf(buf, IFNAMSIZ, "bv%08x", h);
}

uint32_t zone_host_hash(const struct zone_config *c)
{
	uint32_t h = zone_root_hash();

	for (const char *p = c->zonename; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

void zone_host_ifname(const struct zone_config *c, size_t idx, char buf[16])
{
	snprintf(buf, IFNAMSIZ, "bz%08xn%zu", zone_host_hash(c), idx);
}

/* ---- host side ---- */

static int bridge_ensure(struct zone_nl *nl, const char *br, int *ret_index)
{
	struct nlattr *info;
	int r;

	link_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	zone_nl_put_str(nl, IFLA_IFNAME, br);
	info = zone_nl_nest(nl, IFLA_LINKINFO);
	zone_nl_put_str(nl, IFLA_INFO_KIND, "bridge");
	zone_nl_end(nl, info);
	r = zone_nl_talk(nl);
	if (r < 0 && r != -EEXIST)
		return bs_error(r, "cannot create bridge %s: %s", br, strerror(-r));
	*ret_index = (int)if_nametoindex(br);
	if (!*ret_index)
		return bs_error(ENODEV, "bridge %s vanished", br);
	r = link_up(nl, *ret_index, 0);
	if (r < 0)
		return bs_error(r, "cannot bring bridge %s up: %s", br, strerror(-r));
	return 0;
}

static int veth_create(struct zone_nl *nl, const struct zone_nic *nic, const char *host, int master,
		       pid_t pid, bool vm)
{
	struct nlattr *info, *data, *peer;
	struct ifinfomsg *pi;
	int r;

	link_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	zone_nl_put_str(nl, IFLA_IFNAME, host);
	zone_nl_put_u32(nl, IFLA_MASTER, (uint32_t)master);
	if (nic->mtu)
		zone_nl_put_u32(nl, IFLA_MTU, nic->mtu);
	info = zone_nl_nest(nl, IFLA_LINKINFO);
	zone_nl_put_str(nl, IFLA_INFO_KIND, "veth");
	data = zone_nl_nest(nl, IFLA_INFO_DATA);
	/* the peer: its own ifinfomsg, then its attributes */
	peer = zone_nl_nest(nl, VETH_INFO_PEER);
	pi = zone_nl_extra(nl, sizeof(*pi));
	pi->ifi_family = AF_UNSPEC;
	zone_nl_put_str(nl, IFLA_IFNAME, nic->interface);
	if (!vm) /* a VM's MAC is its guest's; the port in the zone's bridge has its own */
		zone_nl_put(nl, IFLA_ADDRESS, nic->mac, 6);
	zone_nl_put_u32(nl, IFLA_NET_NS_PID, (uint32_t)pid);
	if (nic->mtu)
		zone_nl_put_u32(nl, IFLA_MTU, nic->mtu);
	zone_nl_end(nl, peer);
	zone_nl_end(nl, data);
	zone_nl_end(nl, info);
	r = zone_nl_talk(nl);
	if (r < 0)
		return bs_error(r, "cannot create veth %s for %s: %s", host, nic->interface,
				strerror(-r));
	r = link_up(nl, (int)if_nametoindex(host), 0);
	if (r < 0)
		return bs_error(r, "cannot bring %s up: %s", host, strerror(-r));
	return 0;
}

int zone_net_host_setup(const struct zone_config *c, pid_t pid)
{
	struct zone_nl nl;
	int r = 0;

	if (!c->n_nics)
		return 0;
	r = zone_nl_open(&nl, NETLINK_ROUTE);
	for (size_t i = 0; r == 0 && i < c->n_nics; i++) {
		char br[IFNAMSIZ], host[IFNAMSIZ];
		int master = 0;

		bridge_name(&c->nics[i], br);
		zone_host_ifname(c, i, host);
		r = bridge_ensure(&nl, br, &master);
		if (r == 0)
			r = veth_create(&nl, &c->nics[i], host, master, pid,
					c->brand == ZONE_BRAND_KVM);
	}
	zone_nl_close(&nl);
	return r < 0 ? r : zone_antispoof_add(c);
}

/* The bridge has no ports left: /sys/class/net/BR/brif is empty. */
static bool bridge_unused(const char *br)
{
	_cleanup_free_ char *dir = bs_asprintf("/sys/class/net/%s/brif", br);
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			empty = false;
	closedir(d);
	return empty;
}

void zone_net_host_teardown(const struct zone_config *c)
{
	struct zone_nl nl;

	if (!c->n_nics || zone_nl_open(&nl, NETLINK_ROUTE) < 0)
		return;
	for (size_t i = 0; i < c->n_nics; i++) {
		char host[IFNAMSIZ];

		zone_host_ifname(c, i, host);
		link_del(&nl, host);
	}
	zone_antispoof_remove(c);
	for (size_t i = 0; i < c->n_nics; i++) {
		char br[IFNAMSIZ];

		bridge_name(&c->nics[i], br);
		if (bridge_unused(br))
			link_del(&nl, br);
	}
	zone_nl_close(&nl);
}

/* ---- inside the zone ---- */

static int addr_add(struct zone_nl *nl, int index, const char *cidr)
{
	struct ifaddrmsg *ifa =
		zone_nl_msg(nl, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));
	char ip[32];
	struct in_addr a, bcast;
	unsigned len;

	snprintf(ip, sizeof(ip), "%s", cidr);
	ip[strcspn(ip, "/")] = '\0';
	len = (unsigned)atoi(strchr(cidr, '/') + 1);
	inet_pton(AF_INET, ip, &a);
	bcast.s_addr = len == 32 ? a.s_addr : a.s_addr | htonl(0xffffffffu >> len);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)len;
	ifa->ifa_index = (unsigned)index;
	zone_nl_put_u32(nl, IFA_LOCAL, a.s_addr);
	zone_nl_put_u32(nl, IFA_ADDRESS, a.s_addr);
	zone_nl_put_u32(nl, IFA_BROADCAST, bcast.s_addr);
	return zone_nl_talk(nl);
}

static int route_default(struct zone_nl *nl, int index, const char *gw)
{
	struct rtmsg *rt =
		zone_nl_msg(nl, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, sizeof(*rt));
	struct in_addr a;

	inet_pton(AF_INET, gw, &a);
	rt->rtm_family = AF_INET;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	zone_nl_put_u32(nl, RTA_GATEWAY, a.s_addr);
	zone_nl_put_u32(nl, RTA_OIF, (uint32_t)index);
	return zone_nl_talk(nl);
}

/* The persistent tap name, owned by the zone's root (uid 0 of its user namespace), so that
 * the VMM, running as that root without NET_ADMIN, may attach to it. */
static int tap_create(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return bs_error(errno, "cannot open /dev/net/tun in the zone: %s", strerror(errno));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETOWNER, 0UL) < 0 ||
	    ioctl(fd, TUNSETGROUP, 0UL) < 0 || ioctl(fd, TUNSETPERSIST, 1UL) < 0)
		return bs_error(errno, "cannot create tap %s: %s", name, strerror(errno));
	return 0;
}

static int link_set_master(struct zone_nl *nl, const char *ifname, int master)
{
	struct ifinfomsg *ifi = link_msg(nl, RTM_NEWLINK, 0, (int)if_nametoindex(ifname));

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	zone_nl_put_u32(nl, IFLA_MASTER, (uint32_t)master);
	return zone_nl_talk(nl);
}

/* NIC idx of a kvm zone: bridge vbrIDX joining the NIC's zone end and tap vtapIDX. */
static int vm_nic_setup(struct zone_nl *nl, const struct zone_nic *nic, size_t idx)
{
	char br[IFNAMSIZ], tap[IFNAMSIZ];
	int master = 0, r;

	snprintf(br, sizeof(br), "vbr%u", (unsigned)idx);
	zone_tap_name(idx, tap);
	r = tap_create(tap);
	if (r == 0)
		r = bridge_ensure(nl, br, &master);
	if (r < 0)
		return r;
	r = link_set_master(nl, tap, master);
	if (r == 0)
		r = link_set_master(nl, nic->interface, master);
	if (r < 0)
		return bs_error(r, "cannot join %s and %s in bridge %s: %s", nic->interface, tap,
				br, strerror(-r));
	return 0;
}

void zone_tap_name(size_t idx, char buf[16])
{
	snprintf(buf, IFNAMSIZ, "vtap%u", (unsigned)idx);
}

int zone_net_zone_setup(const struct zone_config *c)
{
	struct zone_nl nl;
	int r;

	r = zone_nl_open(&nl, NETLINK_ROUTE);
	if (r == 0) {
		r = link_up(&nl, 1, 0); /* lo */
		if (r < 0)
			bs_error(r, "cannot bring lo up in the zone: %s", strerror(-r));
	}
	for (size_t i = 0; r == 0 && i < c->n_nics; i++) {
		const struct zone_nic *nic = &c->nics[i];
		int index = (int)if_nametoindex(nic->interface);

		if (!index) {
			r = bs_error(ENODEV, "%s is missing in the zone", nic->interface);
			break;
		}
		if (c->brand == ZONE_BRAND_KVM) {
			r = vm_nic_setup(&nl, nic, i);
			continue;
		}
		r = link_up(&nl, index, 0);
		for (char **ip = nic->ips; r == 0 && ip && *ip; ip++) {
			r = addr_add(&nl, index, *ip);
			if (r < 0)
				bs_error(r, "cannot add %s to %s: %s", *ip, nic->interface,
					 strerror(-r));
		}
		/* the first gateway of the first NIC that has one is the default route */
		for (char **gw = nic->gateways; r == 0 && gw && *gw; gw++) {
			r = route_default(&nl, index, *gw);
			if (r == -EEXIST)
				r = 0;
			else if (r < 0)
				bs_error(r, "cannot route through %s: %s", *gw, strerror(-r));
		}
	}
	zone_nl_close(&nl);
	return r;
}
