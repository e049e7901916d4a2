// SPDX-License-Identifier: MIT
/*
 * send-frame.c - run inside a zone by zone_net.sh (built static, copied into the zone's root):
 * sends COUNT broadcast ARP requests on IFACE from the source MAC address SRC_MAC, whatever the
 * interface's own address is, through a packet socket (CAP_NET_RAW, which zones keep). It is
 * how a zone would try to pass for another machine; the host's anti-spoofing rules must drop
 * the frames.
 *
 * usage: send-frame IFACE SRC_MAC SENDER_IP TARGET_IP COUNT
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/if_ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned char frame[ETH_HLEN + sizeof(struct ether_arp)];
	struct ether_header *eh = (struct ether_header *)frame;
	struct ether_arp *arp = (struct ether_arp *)(frame + ETH_HLEN);
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
	unsigned m[6];
	struct in_addr sip, tip;
	int fd, count;

	if (argc != 6 ||
	    sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6 ||
	    inet_pton(AF_INET, argv[3], &sip) != 1 || inet_pton(AF_INET, argv[4], &tip) != 1) {
		fprintf(stderr, "usage: send-frame IFACE SRC_MAC SENDER_IP TARGET_IP COUNT\n");
		return 2;
	}
	count = atoi(argv[5]);
	memset(frame, 0, sizeof(frame));
	memset(eh->ether_dhost, 0xff, ETH_ALEN);
	for (int i = 0; i < 6; i++)
		eh->ether_shost[i] = arp->arp_sha[i] = (unsigned char)m[i];
	eh->ether_type = htons(ETHERTYPE_ARP);
	arp->arp_hrd = htons(ARPHRD_ETHER);
	arp->arp_pro = htons(ETHERTYPE_IP);
	arp->arp_hln = ETH_ALEN;
	arp->arp_pln = 4;
	arp->arp_op = htons(ARPOP_REQUEST);
	memcpy(arp->arp_spa, &sip, 4);
	memcpy(arp->arp_tpa, &tip, 4);
	sa.sll_ifindex = (int)if_nametoindex(argv[1]);
	memset(sa.sll_addr, 0xff, ETH_ALEN);
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP));
	if (fd < 0 || !sa.sll_ifindex) {
		perror("send-frame");
		return 1;
	}
	for (int i = 0; i < count; i++)
		if (sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			perror("send-frame: sendto");
			return 1;
		}
	return 0;
}
