#!/bin/bash
# vmadm_badinput: every kind of bad create or update gets one clear line and leaves nothing
# half-created: malformed JSON (line and column), unknown properties and wrong types (each one
# named), an image that is not installed, a duplicate alias (also between two creates at once), a
# duplicate IP on one nic_tag, insufficient pool space, delete of a running VM; and a create that
# fails at boot (a filesystem whose source does not exist) leaves no dataset, zone, veth, bridge,
# manifest or metadata directory behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
use_vms
install_image

# nothing is left: no dataset, zone configuration, manifest, metadata dir, veth or bridge of uuid
nothing_left() {
	local uuid=$1
	expect_ok zfs list -H -o name -r zones
	if grep -q "$uuid" <<<"$LAST_STDOUT"; then fail "dataset left: $LAST_STDOUT"; fi
	[ ! -e "$BASALT_ROOT/zonecfg/$uuid.json" ] || fail "zone configuration left"
	[ ! -e "$BASALT_ROOT/run/zones/$uuid" ] || fail "zone run directory left"
	[ ! -e "$BASALT_ROOT/run/mdata/$uuid" ] || fail "metadata directory left"
	[ ! -e "$BASALT_ROOT/zones/config/vms/$uuid.json" ] || fail "manifest left"
	expect_ok vmadm list -H -o uuid
	if grep -q "$uuid" <<<"$LAST_STDOUT"; then fail "VM listed: $LAST_STDOUT"; fi
}

links_before=$(ip -o link show | wc -l)

# malformed JSON: line and column
printf '{"brand": "joyent",\n "alias": "x",,\n}' >"$TEST_TMP/broken.json"
expect_fail vmadm create -f "$TEST_TMP/broken.json"
expect_match "$LAST_STDERR" 'broken.json: invalid JSON at line 2 column 15'
# unknown properties, wrong types and missing ones, all named on one line
vm_payload "$TEST_TMP/bad.json" '"colour": "red", "max_physical_memory": "lots", "ram": 512,
 "nics": [{"ips": ["10.0.0.1/24"]}], "quota": -2'
expect_fail vmadm create -f "$TEST_TMP/bad.json"
[ "$LAST_STDERR" = "vmadm: invalid payload: bad_properties: colour, ram; bad_values: max_physical_memory, quota; missing_properties: nics.0.nic_tag" ] ||
	fail "validation message: $LAST_STDERR"
expect_fail vmadm validate create -f "$TEST_TMP/bad.json"
[ "$(jq -c .bad_properties <<<"$LAST_STDOUT")" = '["colour","ram"]' ] || fail "validate: $LAST_STDOUT"
echo '{"brand": "bhyve"}' >"$TEST_TMP/brand.json"
expect_fail vmadm create -f "$TEST_TMP/brand.json"
expect_match "$LAST_STDERR" "bad_brand: bhyve"
vm_payload "$TEST_TMP/ok.json" '"alias": "ok"'
expect_ok vmadm validate create -f "$TEST_TMP/ok.json"
expect_match "$LAST_STDOUT" "VALID 'create' payload for joyent brand VMs."

# an image that is not installed
printf '{"brand": "joyent", "image_uuid": "00000000-0000-4000-8000-000000000001"}' >"$TEST_TMP/noimg.json"
expect_fail vmadm create -f "$TEST_TMP/noimg.json"
expect_match "$LAST_STDERR" "image 00000000-0000-4000-8000-000000000001 is not installed"

# duplicate alias, duplicate IP on one tag
vm_payload "$TEST_TMP/a.json" '"alias": "a", "autoboot": false,
 "nics": [{"nic_tag": "bad0", "ips": ["198.51.100.5/24"]}]'
expect_ok vmadm create -f "$TEST_TMP/a.json"
a=${LAST_STDOUT##* }
vm_payload "$TEST_TMP/a2.json" '"alias": "a", "autoboot": false'
expect_fail vmadm create -f "$TEST_TMP/a2.json"
expect_match "$LAST_STDERR" "alias 'a' is already used by VM $a"
vm_payload "$TEST_TMP/ip.json" '"alias": "b", "autoboot": false,
 "nics": [{"nic_tag": "bad0", "ips": ["198.51.100.5/24"]}]'
expect_fail vmadm create -f "$TEST_TMP/ip.json"
expect_match "$LAST_STDERR" "IP 198.51.100.5 on nic_tag bad0 is already used by VM $a"
vm_payload "$TEST_TMP/ip2.json" '"alias": "b", "autoboot": false,
 "nics": [{"nic_tag": "bad0", "ips": ["198.51.100.6/24"]}]'
expect_ok vmadm create -f "$TEST_TMP/ip2.json"
b=${LAST_STDOUT##* }
expect_fail vmadm update "$b" alias=a
expect_match "$LAST_STDERR" "alias 'a' is already used"
expect_fail vmadm update "$b" ram=512
expect_match "$LAST_STDERR" "bad_properties: ram"
expect_fail vmadm update "$b" max_physical_memory=lots
expect_match "$LAST_STDERR" "bad_values: max_physical_memory"
expect_fail vmadm get 00000000-0000-4000-8000-000000000002
expect_match "$LAST_STDERR" "no VM with uuid"

# two creates at once with one alias: exactly one gets it
vm_payload "$TEST_TMP/race.json" '"alias": "race", "autoboot": false'
s1=0 s2=0
vmadm create -f "$TEST_TMP/race.json" >"$TEST_TMP/r1" 2>&1 & p1=$!
vmadm create -f "$TEST_TMP/race.json" >"$TEST_TMP/r2" 2>&1 & p2=$!
wait "$p1" || s1=$?
wait "$p2" || s2=$?
[ $((s1 == 0)) -ne $((s2 == 0)) ] || fail "concurrent creates: $(cat "$TEST_TMP/r1" "$TEST_TMP/r2")"
grep -qh "alias 'race' is already used" "$TEST_TMP/r1" "$TEST_TMP/r2" || fail "no alias message"
expect_ok vmadm delete "$(vmadm lookup -1 alias=race)"

# delete of a running VM
expect_ok vmadm start "$a"
expect_fail vmadm delete "$a"
expect_match "$LAST_STDERR" "stop it first, or delete it with -F"
expect_ok vmadm stop -F "$a"

# a create that fails at boot leaves nothing, not even its veth and bridge
uuid=8f3c1c9e-6a0e-4c41-9d0e-0f5b8d7c2a11
vm_payload "$TEST_TMP/late.json" "\"uuid\": \"$uuid\", \"alias\": \"late\",
 \"nics\": [{\"nic_tag\": \"late0\", \"ips\": [\"203.0.113.9/24\"]}],
 \"filesystems\": [{\"type\": \"lofs\", \"source\": \"$TEST_TMP/no/such/dir\", \"target\": \"/data\"}]"
expect_fail vmadm create -f "$TEST_TMP/late.json"
nothing_left "$uuid"
expect_ok vmadm delete "$a"
expect_ok vmadm delete "$b"
[ "$(ip -o link show | wc -l)" = "$links_before" ] || fail "links left: $(ip -o link show)"

# insufficient pool space: a reservation takes nearly all of it
avail=$(zfs list -H -p -o avail zones)
expect_ok zfs create -o reservation="$(((avail >> 20) - 8))M" zones/filler
vm_payload "$TEST_TMP/full.json" "\"uuid\": \"$uuid\", \"alias\": \"full\""
expect_fail vmadm create -f "$TEST_TMP/full.json"
expect_match "$LAST_STDERR" "insufficient space in pool zones: the VM needs 16 MiB, [0-9] MiB are available"
nothing_left "$uuid"
echo "vmadm_badinput: ok"
