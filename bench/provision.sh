#!/bin/bash
# bench/provision.sh - provisioning a zone from an image is a clone: `vmadm create` of a joyent VM
# (autoboot: the clone of the image's @final, the quota, the zone defined, its metadata service
# and the zone booted, returning once its init runs) timed from a tiny image (the busybox image,
# ~4 MiB) and from a 1 GiB one (the same with 1 GiB of random data added by
# scripts/image-busybox --pad 1024). Each run creates a VM, then `zlogin VM true` proves it
# runs, then the VM is deleted (-F). Prints the median, minimum and maximum of each, in a state
# directory of its own, whose pool daemon is stopped at the end.
#
# usage: bench/provision.sh [-B BUILDDIR] [-n RUNS] [-p PAD_MIB]
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
runs=20
pad=1024
while getopts "B:n:p:h" opt; do
	case $opt in
	B) build=$OPTARG ;;
	n) runs=$OPTARG ;;
	p) pad=$OPTARG ;;
	*)
		sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	esac
done
[ "$(id -u)" -eq 0 ] || {
	echo "bench/provision.sh: run as root" >&2
	exit 1
}
B=$(cd "$build" && pwd)
export PATH="$B:$PATH" BASALT=$B/basalt
work=$(mktemp -d "${TMPDIR:-/tmp}/basalt-bench-provision.XXXXXX")
export BASALT_ROOT=$work/root BASALT_DEFAULT_POOL_SIZE=$((pad + 2048))M
cleanup() {
	for z in $(zoneadm list 2>/dev/null); do zoneadm -z "$z" halt >/dev/null 2>&1 || true; done
	"$BASALT" zfsd --stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

scripts/image-busybox "$work/img" >/dev/null
scripts/image-busybox --pad "$pad" "$work/img" >/dev/null
imgadm install -m "$work/img/busybox.json" -f "$work/img/busybox.zfs" >/dev/null
imgadm install -m "$work/img/busybox-pad-$pad.json" -f "$work/img/busybox-pad-$pad.zfs" >/dev/null

now_ms() { date +%s%3N; }

# run NAME MANIFEST: time RUNS creates, print "NAME median min max" in ms
run() {
	local name=$1 manifest=$2 uuid t0 t1 times=()
	local image
	image=$(jq -r .uuid "$manifest")
	printf '{"brand": "joyent", "image_uuid": "%s", "max_physical_memory": 128}\n' "$image" \
		>"$work/payload.json"
	for _ in $(seq "$runs"); do
		t0=$(now_ms)
		uuid=$(vmadm create -f "$work/payload.json" | awk '{print $NF}')
		t1=$(now_ms)
		zlogin "$uuid" true
		vmadm delete -F "$uuid" >/dev/null
		times+=($((t1 - t0)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v n="$name" -v size="$(jq -r '.files[0].size' "$manifest")" '
		{ v[NR] = $1 } END { printf "%-22s %10d %10d %10d %10d\n", n, size / 1048576, v[int((NR + 1) / 2)], v[1], v[NR] }'
}

printf '%-22s %10s %10s %10s %10s\n' image "size(MiB)" "median(ms)" "min(ms)" "max(ms)"
run "busybox" "$work/img/busybox.json"
run "busybox-pad-$pad" "$work/img/busybox-pad-$pad.json"
