#!/bin/bash
# vmadm_lifecycle: a zone VM from the busybox image: created (its root a clone of the image's
# @final, with its quota, booted because autoboot), listed with columns, sorting and filters,
# looked up, entered with zlogin, stopped, started, rebooted, updated live (memory cap, quota,
# tags, nics), snapshotted and rolled back, reached on its console, deleted (refused while
# running without -F), and every step logged as an event, which events -f follows. Nothing of it
# is left after the delete.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/mgmt.sh"
use_vms
install_image

vm_payload "$TEST_TMP/web.json" '"alias": "web", "hostname": "webhost", "max_physical_memory": 128,
 "quota": 2, "tags": {"role": "www", "tier": 1},
 "nics": [{"nic_tag": "mgt0", "ips": ["192.0.2.10/24"]}]'
expect_ok vmadm create -f "$TEST_TMP/web.json"
expect_match "$LAST_STDOUT" '^Successfully created VM [0-9a-f-]{36}$'
web=${LAST_STDOUT##* }
# from stdin, stopped
vm_payload "$TEST_TMP/db.json" '"alias": "db", "autoboot": false, "max_physical_memory": 256'
expect_ok vmadm create <"$TEST_TMP/db.json"
db=${LAST_STDOUT##* }

# the datasets: a clone of the image with its quota
[ "$(zfs get -H -o value origin "zones/$web")" = "zones/$IMAGE_UUID@final" ] || fail "not a clone"
[ "$(zfs get -H -o value quota "zones/$web")" = 2G ] || fail "quota not applied"

# list, lookup, get
expect_ok vmadm list
expect_match "$LAST_STDOUT" '^UUID +TYPE +RAM +STATE +ALIAS$'
expect_match "$LAST_STDOUT" "^$web +OS +128 +running +web$"
expect_match "$LAST_STDOUT" "^$db +OS +256 +stopped +db$"
# default order is by ram: web (128) before db (256); -s -ram reverses it
[ "$(vmadm list -H -o alias | tr '\n' ' ')" = "web db " ] || fail "default sort"
[ "$(vmadm list -H -o alias -s -ram | tr '\n' ' ')" = "db web " ] || fail "list -s -ram"
expect_ok vmadm list -p -o uuid,alias,state state=running
[ "$LAST_STDOUT" = "$web:web:running" ] || fail "list -p with a filter: $LAST_STDOUT"
expect_ok vmadm list -H -o alias 'alias=~^d'
[ "$LAST_STDOUT" = db ] || fail "regex filter: $LAST_STDOUT"
expect_ok vmadm lookup tags.role=www
[ "$LAST_STDOUT" = "$web" ] || fail "lookup tags.role: $LAST_STDOUT"
expect_ok vmadm lookup -1 alias=db
[ "$LAST_STDOUT" = "$db" ] || fail "lookup -1: $LAST_STDOUT"
expect_fail vmadm lookup -1 brand=joyent
expect_match "$LAST_STDERR" "2 VMs match, not exactly one"
expect_ok vmadm lookup -j alias=web
[ "$(jq -r '.[0].nics[0].ips[0]' <<<"$LAST_STDOUT")" = 192.0.2.10/24 ] || fail "lookup -j"
expect_ok vmadm get "$web"
[ "$(jq -r .state <<<"$LAST_STDOUT")" = running ] || fail "get: state"
[ "$(jq -r .zone_state <<<"$LAST_STDOUT")" = running ] || fail "get: zone_state"
[ "$(jq -r .nics[0].interface <<<"$LAST_STDOUT")" = net0 ] || fail "get: nic interface"
[ "$(jq -r .create_timestamp <<<"$LAST_STDOUT")" != null ] || fail "get: create_timestamp"
[ "$(jq -r .zonepath <<<"$LAST_STDOUT")" = "$(zfs get -H -o value mountpoint "zones/$web")" ] ||
	fail "get: zonepath"

# inside: the host name, the NIC, the root from the image
[ "$(zlogin "$web" hostname)" = webhost ] || fail "hostname"
zlogin "$web" ip addr show net0 | grep -q 'inet 192.0.2.10/24' || fail "net0 has no address"
zlogin "$web" test -x /bin/busybox || fail "no busybox in the zone"

# lifecycle
expect_ok vmadm stop "$web" -t 5
[ "$(vmadm list -H -o state uuid="$web")" = stopped ] || fail "stop"
expect_fail vmadm stop "$web"
expect_match "$LAST_STDERR" "is not running"
expect_ok vmadm start "$web"
expect_fail vmadm start "$web"
expect_match "$LAST_STDERR" "already running"
init=$(cat "$BASALT_ROOT/run/zones/$web/init")
expect_ok vmadm reboot "$web" -F
[ "$(cat "$BASALT_ROOT/run/zones/$web/init")" != "$init" ] || fail "reboot kept init"

# live updates: memory cap, quota, tags, alias
expect_ok vmadm update "$web" max_physical_memory=200 quota=3 alias=www
expect_ok zonememstat -z "$web"
expect_match "$LAST_STDOUT" " 200 "
[ "$(zfs get -H -o value quota "zones/$web")" = 3G ] || fail "quota update"
echo '{"set_tags": {"tier": 2, "new": "yes"}, "remove_tags": ["role"]}' >"$TEST_TMP/tags.json"
expect_ok vmadm update "$web" -f "$TEST_TMP/tags.json"
expect_ok vmadm get "$web"
[ "$(jq -c .tags <<<"$LAST_STDOUT")" = '{"new":"yes","tier":2}' ] || fail "tags: $LAST_STDOUT"
[ "$(jq -r .alias <<<"$LAST_STDOUT")" = www ] || fail "alias update"
[ "$(jq -r .max_physical_memory <<<"$LAST_STDOUT")" = 200 ] || fail "max_physical_memory"
# nics: added, seen at the next boot, removed
echo '{"add_nics": [{"nic_tag": "mgt0", "ips": ["192.0.2.11/24"]}]}' | vmadm update "$web" >/dev/null ||
	fail "add_nics"
expect_ok vmadm reboot "$web"
zlogin "$web" ip addr show net1 | grep -q 'inet 192.0.2.11/24' || fail "net1 not there after reboot"
mac=$(vmadm get "$web" | jq -r '.nics[1].mac')
echo "{\"remove_nics\": [\"$mac\"]}" | vmadm update "$web" >/dev/null || fail "remove_nics"
[ "$(vmadm get "$web" | jq '.nics | length')" = 1 ] || fail "remove_nics left the NIC"

# snapshots
expect_ok vmadm create-snapshot "$web" before
zlogin "$web" sh -c 'echo later > /root/later'
expect_ok vmadm rollback-snapshot "$web" before
[ "$(vmadm list -H -o state uuid="$web")" = running ] || fail "rollback did not restart the VM"
zlogin "$web" test ! -e /root/later || fail "rollback kept /root/later"
expect_ok vmadm delete-snapshot "$web" before
expect_fail vmadm rollback-snapshot "$web" before
expect_match "$LAST_STDERR" "has no snapshot before"

# console: the zone's console (busybox init's shell on it); ~. detaches
expect_ok vmadm info "$web"
[ "$(jq -r .console.command[1] <<<"$LAST_STDOUT")" = -C ] || fail "info: console"
[ "$(jq -r .state <<<"$LAST_STDOUT")" = running ] || fail "info: state"
[ "$(jq -r .usage.memory_cap <<<"$LAST_STDOUT")" = $((200 << 20)) ] || fail "info: memory cap"
"$TESTS_INTEGRATION_DIR/helpers/pty-drive.py" 'expect:#' 'send:\recho con$((40+2)) $(hostname)\r' \
	'expect:con42 webhost' 'send:\r~.' 'expect:closed' -- vmadm console "$web" \
	>"$TEST_TMP/console.log" || fail "console: $(cat "$TEST_TMP/console.log")"
zlogin "$web" true || fail "the VM died when the console detached"

# events -f follows the log: an event appended after it started shows up
vmadm events -f >"$TEST_TMP/follow" &
follower=$!
at_exit "kill $follower 2>/dev/null || true"
vm_payload "$TEST_TMP/late.json" '"alias": "late", "autoboot": false'
late=$(vmadm create -f "$TEST_TMP/late.json" | awk '{print $NF}')
for _ in $(seq 100); do
	grep -q "\"type\":\"create\",\"uuid\":\"$late\"" "$TEST_TMP/follow" && break
	sleep 0.1
done
grep -q "\"type\":\"create\",\"uuid\":\"$late\"" "$TEST_TMP/follow" || fail "events -f missed the create"
kill "$follower"
expect_ok vmadm delete "$late"

# delete: a running VM needs -F
expect_fail vmadm delete "$web"
expect_match "$LAST_STDERR" "is running; stop it first, or delete it with -F"
expect_ok vmadm delete -F "$web"
expect_ok vmadm delete "$db"
expect_ok vmadm list -H
[ -z "$LAST_STDOUT" ] || fail "VMs left: $LAST_STDOUT"
expect_ok zfs list -H -o name -r zones
[ "$(grep -c -e "$web" -e "$db" <<<"$LAST_STDOUT")" = 0 ] || fail "datasets left: $LAST_STDOUT"
[ ! -e "$BASALT_ROOT/zonecfg/$web.json" ] || fail "zone configuration left"
[ ! -e "$BASALT_ROOT/run/mdata/$web" ] || fail "metadata directory left"
# the image is free again
expect_ok imgadm delete "$IMAGE_UUID"

expect_ok vmadm events
for ev in create start stop update create-snapshot rollback-snapshot delete; do
	grep -q "\"type\":\"$ev\",\"uuid\":\"$web\"" <<<"$LAST_STDOUT" || fail "no $ev event"
done
echo "vmadm_lifecycle: ok"
