#!/bin/bash
# zone_net: zones on one nic_tag share a bridge made on demand and reach each other over veth
# pairs with their configured addresses, MTU and routes; a zone that sends ARP claiming an
# address that is not its own gets no answer (the anti-spoofing rules drop its frames at the
# bridge), unless its NIC allows IP spoofing; halting removes the veths and the bridge.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
use_zones
command -v nft >/dev/null || skip "nftables is not installed"

nic() { # nic IP [EXTRA]
	printf '"nics": [{"nic_tag": "zt", "ips": ["%s/24"], "gateways": ["10.77.0.1"], "mtu": 1400%s}]' "$1" "${2:-}"
}
make_zone na "$(nic 10.77.0.2)"
make_zone nb "$(nic 10.77.0.3)"
make_zone nc "$(nic 10.77.0.4 ', "allow_ip_spoofing": true')"
for z in na nb nc; do expect_ok zoneadm -z $z boot; done

addr=$(zlogin na ip -4 addr show net0)
expect_match "$addr" 'inet 10\.77\.0\.2/24'
expect_match "$addr" 'mtu 1400'
expect_match "$(zlogin na ip route)" 'default via 10\.77\.0\.1 dev net0'
zlogin na ping -c 2 -W 5 10.77.0.3 >/dev/null || fail "zone na cannot ping zone nb"
zlogin nb ping -c 2 -W 5 10.77.0.2 >/dev/null || fail "zone nb cannot ping zone na"

# anti-spoofing: ARP claiming 10.77.0.99 is answered only from the NIC that may spoof. (The
# host lets arping bind the foreign address in the two senders' network namespaces; the
# zones' own /proc/sys is read-only.)
for z in na nc; do
	nsenter --net="/proc/$(zone_init_pid $z)/ns/net" sysctl -qw net.ipv4.ip_nonlocal_bind=1
done
zlogin na arping -c 2 -w 4 -I net0 10.77.0.3 >/dev/null || fail "own-address ARP unanswered"
zlogin nc arping -c 2 -w 4 -I net0 -s 10.77.0.99 10.77.0.3 >/dev/null ||
	fail "spoofed ARP from the zone allowed to spoof was not answered"
zlogin na arping -c 2 -w 4 -I net0 -s 10.77.0.99 10.77.0.3 >/dev/null &&
	fail "spoofed ARP from zone na was answered: frames not dropped"
zlogin nb ping -c 2 -W 5 10.77.0.2 >/dev/null || fail "zone na lost its network after spoofing"

# MAC spoofing: ARP frames from a MAC that is not the NIC's are dropped (the rule counts them),
# from zone na and from nc, which may spoof IPs but not MACs
cc -static -O2 -o "$TEST_TMP/send-frame" "$TESTS_INTEGRATION_DIR/helpers/send-frame.c" ||
	fail "cannot build send-frame"
mac_drops() { # mac_drops ZONE: packets counted by the zone's MAC rule
	nft list table bridge "bz$(zone_hash "$1")" | grep 'ether saddr !=' |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}
for z in na nc; do
	ip=10.77.0.2
	[ $z = na ] || ip=10.77.0.4
	cp "$TEST_TMP/send-frame" "$TEST_TMP/$z/send-frame"
	before=$(mac_drops $z)
	zlogin $z /send-frame net0 02:de:ad:be:ef:01 $ip 10.77.0.3 5 ||
		fail "send-frame failed in $z"
	zlogin $z /send-frame net0 "$(zlogin $z cat /sys/class/net/net0/address)" $ip 10.77.0.3 3 ||
		fail "send-frame failed in $z"
	after=$(mac_drops $z)
	[ $((after - before)) -eq 5 ] || fail "zone $z: $((after - before)) spoofed-MAC frames dropped, not 5"
done

veths=$(ip -o link show | grep -c "bz[0-9a-f]\{8\}n" || true)
[ "$veths" -ge 3 ] || fail "host veth ends: $veths"
for z in na nb nc; do expect_ok zoneadm -z $z halt; done
echo "zone_net: ok"
