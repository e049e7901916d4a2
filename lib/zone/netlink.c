// SPDX-License-Identifier: MIT
/*
 * netlink.c - the little netlink a zone needs, for rtnetlink (links, addresses, routes) and
 * nf_tables (the anti-spoofing rules) alike: messages built in one buffer with their attributes
 * and nests, sent together, and every acknowledgement awaited, the first error returned. Written
 * here rather than taken from libmnl or libnftables so that the basalt binary can be linked
 * statically (Debian has neither as a static archive), and because this is all of it.
 */
#include "zone_impl.h"

#include <sys/socket.h>
#include <sys/time.h>

#define NL_ALIGN(n) (((n) + 3u) & ~3u)

int zone_nl_open(struct zone_nl *nl, int protocol)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	/* the kernel answers at once; a lost answer must not hang a boot */
	struct timeval tv = { .tv_sec = 5 };

	memset(nl, 0, sizeof(*nl));
	nl->seq = 1;
	nl->buf = bs_malloc(ZONE_NL_BUF);
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (nl->fd < 0 || bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int r = -errno;

		zone_nl_close(nl);
		return bs_error(r, "cannot open netlink: %s", strerror(-r));
	}
	return 0;
}

void zone_nl_close(struct zone_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
	free(nl->buf);
	nl->buf = NULL;
}

static void *tail(struct zone_nl *nl)
{
	return nl->buf + nl->len;
}

/* Room for n more bytes, or an assertion: every message a zone sends is small. */
static void *reserve(struct zone_nl *nl, size_t n)
{
	void *p = tail(nl);

	VERIFY(nl->len + NL_ALIGN(n) <= ZONE_NL_BUF);
	memset(p, 0, NL_ALIGN(n));
	nl->len += NL_ALIGN(n);
	if (nl->cur)
		nl->cur->nlmsg_len = (uint32_t)((char *)tail(nl) - (char *)nl->cur);
	return p;
}

void *zone_nl_msg(struct zone_nl *nl, uint16_t type, uint16_t flags, size_t hdrlen)
{
	struct nlmsghdr *h;

	nl->cur = NULL;
	h = reserve(nl, sizeof(*h));
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = nl->seq++;
	h->nlmsg_len = sizeof(*h);
	nl->cur = h;
	if (flags & NLM_F_ACK)
		nl->acks++;
	return hdrlen ? reserve(nl, hdrlen) : NULL;
}

void *zone_nl_extra(struct zone_nl *nl, size_t len)
{
	return reserve(nl, len);
}

void zone_nl_put(struct zone_nl *nl, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = reserve(nl, sizeof(*a) + len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(sizeof(*a) + len);
	memcpy(a + 1, data, len);
}

void zone_nl_put_u32(struct zone_nl *nl, uint16_t type, uint32_t v)
{
	zone_nl_put(nl, type, &v, sizeof(v));
}

void zone_nl_put_str(struct zone_nl *nl, uint16_t type, const char *s)
{
	zone_nl_put(nl, type, s, strlen(s) + 1);
}

struct nlattr *zone_nl_nest(struct zone_nl *nl, uint16_t type)
{
	struct nlattr *a = reserve(nl, sizeof(*a));

	a->nla_type = type | NLA_F_NESTED;
	return a;
}

void zone_nl_end(struct zone_nl *nl, struct nlattr *nest)
{
	nest->nla_len = (uint16_t)((char *)tail(nl) - (char *)nest);
}

int zone_nl_talk(struct zone_nl *nl)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	unsigned acks = nl->acks;
	char reply[8192] __attribute__((aligned(8)));
	int first = 0;

	if (sendto(nl->fd, nl->buf, nl->len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		first = -errno;
		acks = 0;
	}
	nl->len = 0;
	nl->acks = 0;
	nl->cur = NULL;
	while (acks > 0) {
		ssize_t n = recv(nl->fd, reply, sizeof(reply), 0);
		size_t off = 0;

		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		while ((size_t)n - off >= sizeof(struct nlmsghdr)) {
			const struct nlmsghdr *h = (const void *)(reply + off);
			const struct nlmsgerr *e = (const void *)(h + 1);

			if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > (size_t)n - off)
				break;
			if (h->nlmsg_type == NLMSG_ERROR &&
			    h->nlmsg_len >= sizeof(*h) + sizeof(*e)) {
				if (e->error && !first)
					first = e->error;
				if (acks > 0)
					acks--;
			}
			off += NL_ALIGN(h->nlmsg_len);
		}
	}
	return first;
}
