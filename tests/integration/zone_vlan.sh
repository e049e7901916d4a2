#!/bin/bash
# zone_vlan: NICs on one nic_tag with a vlan_id meet only the NICs of their VLAN: two zones in
# VLAN 10 reach each other, a zone in VLAN 20 on the same tag and subnet reaches neither.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
use_zones

nic() { # nic IP VLAN
	printf '"nics": [{"nic_tag": "vt", "ips": ["%s/24"], "vlan_id": %s}]' "$1" "$2"
}
make_zone va "$(nic 10.79.0.2 10)"
make_zone vb "$(nic 10.79.0.3 10)"
make_zone vc "$(nic 10.79.0.4 20)"
for z in va vb vc; do expect_ok zoneadm -z $z boot; done

zlogin va ping -c 2 -W 5 10.79.0.3 >/dev/null || fail "VLAN 10 zones cannot reach each other"
zlogin vb ping -c 2 -W 5 10.79.0.2 >/dev/null || fail "VLAN 10 zones cannot reach each other"
zlogin va ping -c 2 -W 2 10.79.0.4 >/dev/null && fail "a VLAN 10 zone reached the VLAN 20 zone"
zlogin vc ping -c 2 -W 2 10.79.0.3 >/dev/null && fail "the VLAN 20 zone reached a VLAN 10 zone"
# each VLAN of the tag is a bridge of its own on the host
[ "$(ls /sys/class/net/ | grep -c '^bv')" -ge 2 ] || fail "no per-VLAN bridges"
for z in va vb vc; do expect_ok zoneadm -z $z halt; done
echo "zone_vlan: ok"
