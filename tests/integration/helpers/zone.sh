# shellcheck shell=bash
# helpers/zone.sh - sourced after lib.sh by the zone tests: a busybox zone root built by
# scripts/zone-image-busybox (its cache survives between runs), zones defined from JSON, and a
# cleanup that halts whatever zone a failed test left running.
#
#   use_zones            skip unless root with namespaces; halt every zone on exit
#   make_zone NAME JSON  copy the busybox root to $TEST_TMP/NAME, define NAME with the
#                        properties in JSON (an object's members, without braces) and install it
#   zone_init_pid NAME   the host pid of the zone's init
#   root_hash, zone_hash NAME   the hashes lib/zone names host objects by (cgroups and bridges;
#                        veths and nftables tables)

use_zones() {
	[ "$(id -u)" -eq 0 ] || skip "zones need root"
	unshare -m -p -u -i -n -f true 2>/dev/null || skip "namespaces cannot be created here"
	at_exit '_zones_halt_all'
	ZONE_IMAGE=$TEST_TMP/image
	"$REPO_DIR/scripts/zone-image-busybox" "$ZONE_IMAGE" >/dev/null ||
		skip "no busybox zone root: busybox-static cannot be fetched"
}

_zones_halt_all() {
	local z
	for z in $(zoneadm list -c 2>/dev/null); do
		zoneadm -z "$z" halt >/dev/null 2>&1 || true
	done
}

make_zone() {
	local name=$1 props=${2:-}
	mkdir -p "$TEST_TMP/$name"
	cp -a "$ZONE_IMAGE/." "$TEST_TMP/$name/"
	printf '{"zoneroot": "%s"%s%s}\n' "$TEST_TMP/$name" "${props:+, }" "$props" \
		>"$TEST_TMP/$name.json"
	zonecfg -z "$name" -f "$TEST_TMP/$name.json" || fail "zonecfg -z $name failed"
	zoneadm -z "$name" install || fail "zoneadm -z $name install failed"
}

zone_init_pid() {
	cat "$BASALT_ROOT/run/zones/$1/init"
}

# FNV-1a of $1, as lib/zone computes it, in 8 hex digits
_fnv() {
	python3 -c '
import sys
h = 2166136261
for b in sys.argv[1].encode():
    h = ((h ^ b) * 16777619) & 0xffffffff
print("%08x" % h)' "$1"
}

root_hash() {
	_fnv "$BASALT_ROOT"
}

zone_hash() {
	_fnv "$BASALT_ROOT$1"
}
