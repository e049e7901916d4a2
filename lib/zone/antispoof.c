// SPDX-License-Identifier: MIT
/*
 * antispoof.c - a zone may send only as itself: for each NIC that does not allow spoofing, a
 * bridge-family nftables table of the zone's own drops, at prerouting on the NIC's host end,
 * every frame whose source MAC is not the NIC's, every IPv4 packet whose source is not one of
 * its IPs and every ARP message that claims another address. The rules are given to the
 * kernel through libnftables in this process (no tool is run); forwarding stays in the kernel.
 * Each rule counts what it dropped (`nft list table bridge bzHASH`). The table is created at
 * boot and deleted at halt.
 */
#include "zone_impl.h"

#include <nftables/libnftables.h>

static int nft_run(const char *cmds)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	int r;

	if (!nft)
		return -ENOMEM;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	r = nft_run_cmd_from_buffer(nft, cmds);
	if (r != 0) {
		const char *err = nft_ctx_get_error_buffer(nft);
		char line[256];

		snprintf(line, sizeof(line), "%s", err ? err : "");
		line[strcspn(line, "\n")] = '\0';
		r = bs_error(EINVAL, "cannot install the anti-spoofing rules: %s", line);
	}
	nft_ctx_free(nft);
	return r;
}

/* Append to buf at *n, if there is room. */
_printf_(4, 5) static void append(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= size)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *n, size - *n, fmt, ap);
	va_end(ap);
	*n += k > 0 ? (size_t)k : 0;
}

int zone_antispoof_add(const struct zone_config *c)
{
	char buf[8192];
	size_t n = 0;
	bool any = false;

	append(buf, sizeof(buf), &n,
	       "table bridge bz%08x {\n chain pre {\n  type filter hook prerouting priority -200;"
	       " policy accept;\n",
	       zone_host_hash(c));
	for (size_t i = 0; i < c->n_nics; i++) {
		const struct zone_nic *nic = &c->nics[i];
		const unsigned char *m = nic->mac;
		char host[16], ips[1024];
		size_t k = 0;

		zone_host_ifname(c, i, host);
		if (!nic->allow_mac_spoofing) {
			append(buf, sizeof(buf), &n,
			       "  iifname \"%s\" ether saddr != %02x:%02x:%02x:%02x:%02x:%02x counter drop\n",
			       host, m[0], m[1], m[2], m[3], m[4], m[5]);
			any = true;
		}
		if (nic->allow_ip_spoofing)
			continue;
		any = true;
		for (char **ip = nic->ips; ip && *ip; ip++)
			append(ips, sizeof(ips), &k, "%s%.*s", k ? ", " : "",
			       (int)strcspn(*ip, "/"), *ip);
		if (!k) {
			append(buf, sizeof(buf), &n,
			       "  iifname \"%s\" ether type { ip, arp } counter drop\n", host);
			continue;
		}
		append(buf, sizeof(buf), &n,
		       "  iifname \"%s\" ether type ip ip saddr != { %s } counter drop\n"
		       "  iifname \"%s\" ether type arp arp saddr ip != { %s } counter drop\n",
		       host, ips, host, ips);
	}
	append(buf, sizeof(buf), &n, " }\n}\n");
	if (!any)
		return 0;
	if (n >= sizeof(buf))
		return bs_error(E2BIG, "too many addresses for the anti-spoofing rules");
	return nft_run(buf);
}

void zone_antispoof_remove(const struct zone_config *c)
{
	char cmd[64];
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);

	if (!nft)
		return;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	snprintf(cmd, sizeof(cmd), "delete table bridge bz%08x\n", zone_host_hash(c));
	nft_run_cmd_from_buffer(nft, cmd); /* absent when every NIC may spoof */
	nft_ctx_free(nft);
}
