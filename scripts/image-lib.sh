# shellcheck shell=bash
# scripts/image-lib.sh - what every image builder shares, sourced by scripts/image-busybox,
# scripts/image-debian and scripts/image-vm: an image is built once per cache, in a scratch
# state directory with a pool daemon of its own (stopped at the end), as a dataset zones/image
# (a file system or a volume) that the builder fills, snapshotted @final and sent; the stream's
# SHA-1 and size go into an IMGAPI v2 manifest, and the pair STEM.json + STEM.zfs is copied to
# the destination.
#
#   BASALT         the basalt binary (default: build/basalt of this repository)
#   BASALT_CACHE   the cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/basalt)
#
#   image_build STEM POOL_MIB FIELDS FILL
#       unless $IMAGE_CACHE/images/STEM.json exists: create zones/image in a scratch pool of
#       POOL_MIB MiB (a volume of image_size MiB if FIELDS says type zvol, else a file system),
#       run FILL PATH (PATH: the file system's mountpoint or the volume's file), then write
#       the stream and a manifest made of v, a new uuid, FIELDS (a JSON object: name, version,
#       type, os, ...), published_at and files[]; IMAGE_SCRATCH, the scratch state directory
#       (removed at the end), has room for FILL's own temporary files
#   image_copy STEM DEST   copy STEM.json and STEM.zfs from the cache to DEST
#   image_mdata_links ROOT  link ROOT/usr/sbin/mdata-* to the metadata tools of the directory
#                           every VM's zone has at /.zonecontrol
#   image_mdata_binary      the static basalt-mdata of the build (beside basalt, or in its
#                           cmd/), for images whose guests carry the mdata tools themselves

IMAGE_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMAGE_BASALT=${BASALT:-$IMAGE_REPO/build/basalt}
IMAGE_CACHE=${BASALT_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/basalt}

IMAGE_SCRATCH=
_image_cleanup() {
	[ -n "$IMAGE_SCRATCH" ] || return 0
	BASALT_ROOT=$IMAGE_SCRATCH "$IMAGE_BASALT" zfsd --stop >/dev/null 2>&1 || true
	rm -rf "$IMAGE_SCRATCH"
}

image_build() {
	local stem=$1 pool=$2 fields=$3 fill=$4 out type size path uuid sha1 bytes
	out=$IMAGE_CACHE/images/$stem
	[ -s "$out.json" ] && return 0
	[ -x "$IMAGE_BASALT" ] || {
		echo "$0: $IMAGE_BASALT is not built" >&2
		return 1
	}
	type=$(jq -r .type <<<"$fields")
	mkdir -p "$IMAGE_CACHE/images"
	IMAGE_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/basalt-image-$stem.XXXXXX")
	trap _image_cleanup EXIT
	export BASALT_ROOT=$IMAGE_SCRATCH
	export BASALT_DEFAULT_POOL_SIZE=${pool}M
	if [ "$type" = zvol ]; then
		size=$(jq -r .image_size <<<"$fields")
		"$IMAGE_BASALT" zfs create -V "${size}M" zones/image
		path=$BASALT_ROOT/run/zvol/zones/image
	else
		"$IMAGE_BASALT" zfs create zones/image
		path=$("$IMAGE_BASALT" zfs get -H -o value mountpoint zones/image)
	fi
	"$fill" "$path"
	"$IMAGE_BASALT" zfs snapshot zones/image@final
	"$IMAGE_BASALT" zfs send zones/image@final >"$out.zfs.tmp"
	uuid=$(cat /proc/sys/kernel/random/uuid)
	bytes=$(stat -c %s "$out.zfs.tmp")
	sha1=$(sha1sum "$out.zfs.tmp" | cut -d' ' -f1)
	jq -n --arg uuid "$uuid" --argjson fields "$fields" --arg sha1 "$sha1" \
		--argjson size "$bytes" --arg at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		'{v: 2, uuid: $uuid} + $fields + {published_at: $at,
		  files: [{sha1: $sha1, size: $size, compression: "none"}]}' >"$out.json.tmp"
	mv "$out.zfs.tmp" "$out.zfs"
	mv "$out.json.tmp" "$out.json"
	_image_cleanup
	IMAGE_SCRATCH=
	unset BASALT_ROOT BASALT_DEFAULT_POOL_SIZE
}

image_copy() {
	mkdir -p "$2"
	cp "$IMAGE_CACHE/images/$1.json" "$IMAGE_CACHE/images/$1.zfs" "$2/"
}

image_mdata_binary() {
	local dir
	dir=$(dirname "$IMAGE_BASALT")
	if [ -x "$dir/basalt-mdata" ]; then
		echo "$dir/basalt-mdata"
	else
		echo "$dir/cmd/basalt-mdata"
	fi
}

image_mdata_links() {
	local tool
	for tool in mdata-get mdata-put mdata-list mdata-delete; do
		ln -sf "/.zonecontrol/$tool" "$1/usr/sbin/$tool"
	done
}
