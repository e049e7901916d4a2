#!/bin/bash
# bench/zones.sh - boot-to-exit of a container running /bin/true: Basalt against runc and crun
# (Debian's packages, installed here if missing) and against the floor, `unshare -fp
# --mount-proc chroot ROOT /bin/true`. All run the same busybox root (scripts/zone-image-busybox).
#
#   basalt cycle   zonecfg -f + zoneadm install + zoneadm boot -W (a joyent-minimal zone whose
#                  one process is /bin/true: boot, run, halt and tear down) + zonecfg delete
#   basalt boot    zoneadm boot -W of the zone, configured once (what `crun run` does with a
#                  bundle whose config.json exists)
#   runc, crun     `run -b BUNDLE` of an OCI bundle from `runc spec`, args /bin/true
#   floor          unshare -fp --mount-proc chroot ROOT /bin/true
#
# crun refuses a hybrid cgroup host; for its runs only, the v2 mount at
# /sys/fs/cgroup/unified is moved aside and moved back afterwards (also on failure).
# Prints the median and the ratios to the floor and to crun.
#
# usage: bench/zones.sh [-B BUILDDIR] [-n RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
runs=100
while getopts "B:n:h" opt; do
	case $opt in
	B) build=$OPTARG ;;
	n) runs=$OPTARG ;;
	*)
		sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	esac
done
[ "$(id -u)" -eq 0 ] || {
	echo "bench/zones.sh: run as root" >&2
	exit 1
}
B=$(cd "$build" && pwd)
for p in runc crun; do
	command -v $p >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q $p >/dev/null
done

work=$(mktemp -d /tmp/basalt-bench-zones.XXXXXX)
export BASALT_ROOT=$work/state
aside=$work/unified-aside
unified=/sys/fs/cgroup/unified
moved=0
cleanup() {
	if [ "$moved" = 1 ]; then mount --move "$aside" "$unified"; fi
	"$B/zoneadm" -z bench halt >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

root=$work/root
scripts/zone-image-busybox "$root"
printf '{"zoneroot": "%s", "brand": "joyent-minimal", "init_name": "/bin/true"}\n' "$root" \
	>"$work/zone.json"
mkdir -p "$work/bundle"
(cd "$work/bundle" && runc spec && python3 -c '
import json
c = json.load(open("config.json"))
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
c["root"] = {"path": "'"$root"'", "readonly": False}
json.dump(c, open("config.json", "w"))')

# measure NAME CMD...: RUNS wall times in microseconds into $work/NAME
measure() {
	local name=$1 t0 t1
	shift
	"$@" >/dev/null # warm-up
	: >"$work/$name"
	for ((i = 0; i < runs; i++)); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null
		t1=$EPOCHREALTIME
		echo $(((${t1/./} - ${t0/./}))) >>"$work/$name"
	done
}
median() { sort -n "$work/$1" | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

basalt_cycle() {
	"$B/zonecfg" -z bench -f "$work/zone.json" && "$B/zoneadm" -z bench install &&
		"$B/zoneadm" -z bench boot -W && "$B/zonecfg" -z bench delete
}
measure "basalt cycle" basalt_cycle
"$B/zonecfg" -z bench -f "$work/zone.json"
"$B/zoneadm" -z bench install
measure "basalt boot" "$B/zoneadm" -z bench boot -W
n=0
measure runc runc run -b "$work/bundle" "bench-runc"
measure floor unshare -fp --mount-proc chroot "$root" /bin/true
mkdir -p "$aside"
mount --move "$unified" "$aside"
moved=1
measure crun crun run -b "$work/bundle" "bench-crun"
mount --move "$aside" "$unified"
moved=0

floor=$(median floor)
crun=$(median crun)
printf '%-14s %10s %10s %10s\n' "" "median ms" "/ floor" "/ crun"
for name in "basalt cycle" "basalt boot" runc crun floor; do
	m=$(median "$name")
	printf '%-14s %10.2f %10.2f %10.2f\n' "$name" "$(echo "$m / 1000" | bc -l)" \
		"$(echo "$m / $floor" | bc -l)" "$(echo "$m / $crun" | bc -l)"
done
echo "($runs runs each; kernel $(uname -r); $(nproc) CPUs)"
