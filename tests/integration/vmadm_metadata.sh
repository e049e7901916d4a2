#!/bin/bash
# vmadm_metadata: inside a zone, mdata-get, mdata-list, mdata-put and mdata-delete reach the VM's
# metadata service through the socket bound at /.zonecontrol: customer_metadata and sdc: keys are
# served, a change by vmadm update is seen at once, a change from inside is seen by vmadm get, sdc:
# keys are read-only; the user-script runs at the first boot only; the service lives through
# reboots, from outside and from inside.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
# the zone runs the mdata tools from basalt-mdata, which must be static (not in sanitizer builds)
mdata_bin=$BASALT_BUILD/cmd/basalt-mdata
[ -x "$mdata_bin" ] || mdata_bin=$BASALT_BUILD/basalt-mdata
if ldd "$mdata_bin" >/dev/null 2>&1; then skip "basalt-mdata is not linked statically in this build"; fi
use_vms
install_image

vm_payload "$TEST_TMP/md.json" '"alias": "md",
 "customer_metadata": {"greeting": "hello world", "multi": "line1\nline2",
  "user-script": "echo ran >> /root/user-script.count; mdata-get greeting > /root/greeting"}'
expect_ok vmadm create -f "$TEST_TMP/md.json"
vm=${LAST_STDOUT##* }

[ "$(zlogin "$vm" mdata-get greeting)" = "hello world" ] || fail "mdata-get greeting"
[ "$(zlogin "$vm" mdata-get multi)" = "$(printf 'line1\nline2')" ] || fail "mdata-get multi"
[ "$(zlogin "$vm" mdata-get sdc:uuid)" = "$vm" ] || fail "mdata-get sdc:uuid"
[ "$(zlogin "$vm" mdata-get sdc:alias)" = md ] || fail "mdata-get sdc:alias"
[ "$(zlogin "$vm" mdata-list | sort | tr '\n' ' ')" = "greeting multi user-script " ] ||
	fail "mdata-list: $(zlogin "$vm" mdata-list)"
status=0
zlogin "$vm" mdata-get nothing 2>"$TEST_TMP/err" || status=$?
[ "$status" = 1 ] || fail "mdata-get of a missing key exited $status"
grep -q "No metadata for 'nothing'" "$TEST_TMP/err" || fail "mdata-get message: $(cat "$TEST_TMP/err")"

# changes from outside are seen at once, changes from inside reach the manifest
echo '{"set_customer_metadata": {"greeting": "bye"}}' | vmadm update "$vm" >/dev/null ||
	fail "update set_customer_metadata"
[ "$(zlogin "$vm" mdata-get greeting)" = bye ] || fail "update not seen inside"
zlogin "$vm" mdata-put fromzone 'set inside' || fail "mdata-put"
echo -n piped | zlogin "$vm" mdata-put piped || fail "mdata-put from stdin"
expect_ok vmadm get "$vm"
[ "$(jq -r '.customer_metadata.fromzone' <<<"$LAST_STDOUT")" = "set inside" ] || fail "put not stored"
[ "$(jq -r '.customer_metadata.piped' <<<"$LAST_STDOUT")" = piped ] || fail "piped put not stored"
zlogin "$vm" mdata-delete fromzone || fail "mdata-delete"
[ "$(vmadm get "$vm" | jq -r '.customer_metadata.fromzone')" = null ] || fail "delete not stored"
if zlogin "$vm" mdata-put sdc:alias evil 2>/dev/null; then fail "an sdc: key was written"; fi

# the user-script ran at the first boot (it runs in the background: wait for its output)
for _ in $(seq 100); do
	zlogin "$vm" test -s /root/greeting && break
	sleep 0.1
done
[ "$(zlogin "$vm" cat /root/greeting)" = "hello world" ] || fail "user-script did not run"
expect_ok vmadm reboot "$vm"
[ "$(zlogin "$vm" mdata-get sdc:uuid)" = "$vm" ] || fail "no metadata after reboot"
[ "$(zlogin "$vm" cat /root/user-script.count)" = ran ] || fail "user-script ran again at reboot"
# a reboot from inside: the supervisor starts the zone again, and the metadata service, which
# lasts as long as the supervisor, still answers
init=$(cat "$BASALT_ROOT/run/zones/$vm/init")
zlogin "$vm" reboot
new=$init
for _ in $(seq 300); do
	new=$(cat "$BASALT_ROOT/run/zones/$vm/init" 2>/dev/null || true)
	[ -n "$new" ] && [ "$new" != "$init" ] && zlogin "$vm" true 2>/dev/null && break
	sleep 0.1
done
[ "$new" != "$init" ] || fail "the zone did not reboot itself"
[ "$(zlogin "$vm" mdata-get greeting)" = bye ] || fail "no metadata after a reboot from inside"
expect_ok vmadm delete -F "$vm"
echo "vmadm_metadata: ok"
