#!/bin/bash
# zone_kvm_net: the network of a kvm zone (a VM's): inside its network namespace each NIC's zone
# end and a persistent tap vtapN owned by the zone's root are joined by a bridge vbrN, the zone
# itself has no address and cannot change any of it (no NET_ADMIN); on the host the NIC is an
# ordinary veth on its nic_tag's bridge, with the anti-spoofing table, all gone at halt. A kvm
# zone with NICs but without /dev/net/tun is refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
use_zones

make_zone vmz '"brand": "kvm", "devices": [{"path": "/dev/net/tun"}],
 "nics": [{"nic_tag": "kt'$$'", "ips": ["10.213.78.2/24"], "mac": "02:00:0a:d5:4e:02"}]'
expect_ok zoneadm -z vmz boot
z() { zlogin vmz "$@"; }

links=$(z ip -o link)
for l in lo net0 vbr0 vtap0; do
	grep -q "^[0-9]*: $l[:@]" <<<"$links" || fail "no $l in the zone: $links"
done
grep -q '^[0-9]*: net0@.* master vbr0 ' <<<"$links" || fail "net0 is not in vbr0: $links"
grep -q '^[0-9]*: vtap0: .* master vbr0 ' <<<"$links" || fail "vtap0 is not in vbr0: $links"
grep -q 'net0@.*02:00:0a:d5:4e:02' <<<"$links" && fail "net0 has the guest's MAC"
[ "$(z cat /sys/class/net/vtap0/owner)" = 0 ] || fail "vtap0 is not owned by the zone's root"
[ -z "$(z ip -o -4 addr show scope global)" ] || fail "the zone has an address: $(z ip -o addr)"
z ip link set vtap0 nomaster 2>/dev/null && fail "the zone changed its bridge"
z ip link add dummy0 type dummy 2>/dev/null && fail "the zone made an interface"

host=bz$(zone_hash vmz)n0
link=$(ip link show "$host")
grep -q "master bb$(root_hash | cut -c5-8)_kt$$" <<<"$link" ||
	fail "the host end is not on the nic_tag's bridge: $link"
table=$(nft list table bridge "bz$(zone_hash vmz)")
grep -q '02:00:0a:d5:4e:02' <<<"$table" || fail "no anti-spoofing for the guest's MAC: $table"
expect_ok zoneadm -z vmz halt
ip link show "$host" >/dev/null 2>&1 && fail "$host is left after halt"

# a kvm zone with NICs must hold /dev/net/tun
printf '{"zoneroot": "%s", "brand": "kvm", "nics": [{"nic_tag": "kt%s"}]}\n' \
	"$TEST_TMP/vmz" $$ >"$TEST_TMP/bad.json"
expect_fail zonecfg -z badkvm -f "$TEST_TMP/bad.json"
[[ "$LAST_STDERR" == *"/dev/net/tun"* ]] || fail "kvm zone without tun: $LAST_STDERR"
echo "zone_kvm_net: ok"
