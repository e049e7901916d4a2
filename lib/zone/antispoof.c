// SPDX-License-Identifier: MIT
/*
 * antispoof.c - a zone may send only as itself. For each NIC that does not allow spoofing, a
 * bridge-family nf_tables table of the zone's own, bzHASH, checks the frames that enter the
 * bridge from the NIC's host end (prerouting): a chain per NIC, reached by the NIC's interface
 * name, drops what comes from another MAC address, accepts IPv4 and ARP from the NIC's own
 * addresses and drops all other IPv4 and ARP; every drop is counted. In nft's words:
 *
 *   table bridge bzHASH {
 *     chain pre { type filter hook prerouting priority -200; policy accept;
 *                 iifname "bzHASHn0" jump n0 }
 *     chain n0 { ether saddr != MAC counter drop
 *                ether type ip ip saddr IP accept        (each IP)
 *                ether type ip counter drop
 *                ether type arp arp saddr ip IP accept   (each IP)
 *                ether type arp counter drop }
 *   }
 *
 * The rules go to the kernel as one nf_tables netlink transaction (netlink.c): no tool runs and
 * no library parses them; forwarding stays in the kernel. The table is made before the zone
 * runs and deleted at halt.
 */
#include "zone_impl.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>

/* NF_BR_PRE_ROUTING, from linux/netfilter_bridge.h, whose includes clash with net/if.h */
#define BR_PRE_ROUTING 0
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_SRC_OFFSET 6
#define ETH_TYPE_OFFSET 12
#define IP_SADDR_OFFSET 12
#define ARP_SPA_OFFSET 14 /* after htype, ptype, hlen, plen, oper and the sender's MAC */

static void batch_edge(struct zone_nl *nl, uint16_t type)
{
	struct nfgenmsg *g = zone_nl_msg(nl, type, 0, sizeof(*g));

	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(NFNL_SUBSYS_NFTABLES);
}

static void nft_msg(struct zone_nl *nl, uint16_t type, uint16_t flags)
{
	struct nfgenmsg *g =
		zone_nl_msg(nl, (NFNL_SUBSYS_NFTABLES << 8) | type, NLM_F_ACK | flags, sizeof(*g));

	g->nfgen_family = NFPROTO_BRIDGE;
	g->version = NFNETLINK_V0;
}

static void put_be32(struct zone_nl *nl, uint16_t type, uint32_t v)
{
	zone_nl_put_u32(nl, type, htonl(v));
}

/* ---- expressions ---- */

static struct nlattr *expr_start(struct zone_nl *nl, const char *name)
{
	struct nlattr *elem = zone_nl_nest(nl, NFTA_LIST_ELEM);

	zone_nl_put_str(nl, NFTA_EXPR_NAME, name);
	return elem;
}

static void expr_meta_iifname(struct zone_nl *nl)
{
	struct nlattr *e = expr_start(nl, "meta"), *d = zone_nl_nest(nl, NFTA_EXPR_DATA);

	put_be32(nl, NFTA_META_KEY, NFT_META_IIFNAME);
	put_be32(nl, NFTA_META_DREG, NFT_REG_1);
	zone_nl_end(nl, d);
	zone_nl_end(nl, e);
}

static void expr_payload(struct zone_nl *nl, uint32_t base, uint32_t offset, uint32_t len)
{
	struct nlattr *e = expr_start(nl, "payload"), *d = zone_nl_nest(nl, NFTA_EXPR_DATA);

	put_be32(nl, NFTA_PAYLOAD_DREG, NFT_REG_1);
	put_be32(nl, NFTA_PAYLOAD_BASE, base);
	put_be32(nl, NFTA_PAYLOAD_OFFSET, offset);
	put_be32(nl, NFTA_PAYLOAD_LEN, len);
	zone_nl_end(nl, d);
	zone_nl_end(nl, e);
}

static void expr_cmp(struct zone_nl *nl, uint32_t op, const void *value, size_t len)
{
	struct nlattr *e = expr_start(nl, "cmp"), *d = zone_nl_nest(nl, NFTA_EXPR_DATA), *v;

	put_be32(nl, NFTA_CMP_SREG, NFT_REG_1);
	put_be32(nl, NFTA_CMP_OP, op);
	v = zone_nl_nest(nl, NFTA_CMP_DATA);
	zone_nl_put(nl, NFTA_DATA_VALUE, value, len);
	zone_nl_end(nl, v);
	zone_nl_end(nl, d);
	zone_nl_end(nl, e);
}

static void expr_counter(struct zone_nl *nl)
{
	zone_nl_end(nl, expr_start(nl, "counter"));
}

/* A verdict: NF_DROP, NF_ACCEPT, or NFT_JUMP to chain. */
static void expr_verdict(struct zone_nl *nl, int code, const char *chain)
{
	struct nlattr *e = expr_start(nl, "immediate"), *d = zone_nl_nest(nl, NFTA_EXPR_DATA);
	struct nlattr *data, *verdict;

	put_be32(nl, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
	data = zone_nl_nest(nl, NFTA_IMMEDIATE_DATA);
	verdict = zone_nl_nest(nl, NFTA_DATA_VERDICT);
	put_be32(nl, NFTA_VERDICT_CODE, (uint32_t)code);
	if (chain)
		zone_nl_put_str(nl, NFTA_VERDICT_CHAIN, chain);
	zone_nl_end(nl, verdict);
	zone_nl_end(nl, data);
	zone_nl_end(nl, d);
	zone_nl_end(nl, e);
}

/* ---- rules ---- */

static struct nlattr *rule_start(struct zone_nl *nl, const char *table, const char *chain)
{
	nft_msg(nl, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	zone_nl_put_str(nl, NFTA_RULE_TABLE, table);
	zone_nl_put_str(nl, NFTA_RULE_CHAIN, chain);
	return zone_nl_nest(nl, NFTA_RULE_EXPRESSIONS);
}

/* ether type TYPE [PAYLOAD == VALUE] accept|counter drop */
static void rule_ether(struct zone_nl *nl, const char *table, const char *chain, uint16_t type,
		       uint32_t offset, const struct in_addr *addr)
{
	struct nlattr *x = rule_start(nl, table, chain);
	uint16_t be = htons(type);

	expr_payload(nl, NFT_PAYLOAD_LL_HEADER, ETH_TYPE_OFFSET, sizeof(be));
	expr_cmp(nl, NFT_CMP_EQ, &be, sizeof(be));
	if (addr) {
		expr_payload(nl, NFT_PAYLOAD_NETWORK_HEADER, offset, sizeof(*addr));
		expr_cmp(nl, NFT_CMP_EQ, addr, sizeof(*addr));
		expr_verdict(nl, NF_ACCEPT, NULL);
	} else {
		expr_counter(nl);
		expr_verdict(nl, NF_DROP, NULL);
	}
	zone_nl_end(nl, x);
}

static void nic_rules(struct zone_nl *nl, const char *table, const struct zone_nic *nic,
		      const char *host, const char *chain)
{
	char ifname[IFNAMSIZ] = { 0 };
	struct nlattr *x;

	/* the base chain sends the NIC's frames to its chain */
	snprintf(ifname, sizeof(ifname), "%s", host);
	x = rule_start(nl, table, "pre");
	expr_meta_iifname(nl);
	expr_cmp(nl, NFT_CMP_EQ, ifname, sizeof(ifname));
	expr_verdict(nl, NFT_JUMP, chain);
	zone_nl_end(nl, x);

	if (!nic->allow_mac_spoofing) {
		x = rule_start(nl, table, chain);
		expr_payload(nl, NFT_PAYLOAD_LL_HEADER, ETH_SRC_OFFSET, sizeof(nic->mac));
		expr_cmp(nl, NFT_CMP_NEQ, nic->mac, sizeof(nic->mac));
		expr_counter(nl);
		expr_verdict(nl, NF_DROP, NULL);
		zone_nl_end(nl, x);
	}
	if (nic->allow_ip_spoofing)
		return;
	for (int arp = 0; arp < 2; arp++) {
		uint16_t type = arp ? ETH_P_ARP : ETH_P_IP;
		uint32_t offset = arp ? ARP_SPA_OFFSET : IP_SADDR_OFFSET;

		for (char **ip = nic->ips; ip && *ip; ip++) {
			char text[32];
			struct in_addr a;

			snprintf(text, sizeof(text), "%.*s", (int)strcspn(*ip, "/"), *ip);
			if (inet_pton(AF_INET, text, &a) == 1)
				rule_ether(nl, table, chain, type, offset, &a);
		}
		rule_ether(nl, table, chain, type, 0, NULL);
	}
}

static void table_name(const struct zone_config *c, char buf[32])
{
	snprintf(buf, 32, "bz%08x", zone_host_hash(c));
}

int zone_antispoof_add(const struct zone_config *c)
{
	struct zone_nl nl;
	char table[32];
	struct nlattr *hook;
	bool any = false;
	int r;

	for (size_t i = 0; i < c->n_nics; i++)
		any |= !c->nics[i].allow_mac_spoofing || !c->nics[i].allow_ip_spoofing;
	if (!any)
		return 0;
	r = zone_nl_open(&nl, NETLINK_NETFILTER);
	if (r < 0)
		return r;
	table_name(c, table);
	batch_edge(&nl, NFNL_MSG_BATCH_BEGIN);
	nft_msg(&nl, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	zone_nl_put_str(&nl, NFTA_TABLE_NAME, table);

	nft_msg(&nl, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	zone_nl_put_str(&nl, NFTA_CHAIN_TABLE, table);
	zone_nl_put_str(&nl, NFTA_CHAIN_NAME, "pre");
	hook = zone_nl_nest(&nl, NFTA_CHAIN_HOOK);
	put_be32(&nl, NFTA_HOOK_HOOKNUM, BR_PRE_ROUTING);
	put_be32(&nl, NFTA_HOOK_PRIORITY, (uint32_t)-200);
	zone_nl_end(&nl, hook);
	put_be32(&nl, NFTA_CHAIN_POLICY, NF_ACCEPT);
	zone_nl_put_str(&nl, NFTA_CHAIN_TYPE, "filter");
	for (size_t i = 0; i < c->n_nics; i++) {
		char chain[24];

		snprintf(chain, sizeof(chain), "n%zu", i);
		nft_msg(&nl, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
		zone_nl_put_str(&nl, NFTA_CHAIN_TABLE, table);
		zone_nl_put_str(&nl, NFTA_CHAIN_NAME, chain);
	}
	for (size_t i = 0; i < c->n_nics; i++) {
		char chain[24], host[16];

		snprintf(chain, sizeof(chain), "n%zu", i);
		zone_host_ifname(c, i, host);
		nic_rules(&nl, table, &c->nics[i], host, chain);
	}
	batch_edge(&nl, NFNL_MSG_BATCH_END);
	r = zone_nl_talk(&nl);
	zone_nl_close(&nl);
	if (r < 0)
		return bs_error(r, "cannot install the anti-spoofing rules: %s", strerror(-r));
	return 0;
}

void zone_antispoof_remove(const struct zone_config *c)
{
	struct zone_nl nl;
	char table[32];

	if (zone_nl_open(&nl, NETLINK_NETFILTER) < 0)
		return;
	table_name(c, table);
	batch_edge(&nl, NFNL_MSG_BATCH_BEGIN);
	nft_msg(&nl, NFT_MSG_DELTABLE, 0);
	zone_nl_put_str(&nl, NFTA_TABLE_NAME, table);
	batch_edge(&nl, NFNL_MSG_BATCH_END);
	zone_nl_talk(&nl); /* absent when every NIC may spoof */
	zone_nl_close(&nl);
}
