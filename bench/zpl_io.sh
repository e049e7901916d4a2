#!/bin/bash
# File I/O through a Basalt FUSE mount: sequential write (dd bs=1M conv=fsync), cold sequential
# read (after pool export/import and drop_caches), warm re-read, 4 KiB random writes and reads
# for a fixed time on a file (fio), and creating small files (bench/mkfiles.c). Prints one line
# per figure. Run as root from the source tree after building: bench/zpl_io.sh [-B BUILDDIR].
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$HERE/../build
SEQMIB=512
RANDMIB=256
SECS=10
NFILES=10000
while getopts "B:" opt; do
	case $opt in
	B) BUILD=$OPTARG ;;
	*) echo "usage: bench/zpl_io.sh [-B BUILDDIR]" >&2; exit 2 ;;
	esac
done
[[ $(id -u) == 0 ]] || { echo "zpl_io.sh: run as root" >&2; exit 1; }
command -v fio >/dev/null || { echo "zpl_io.sh: needs fio" >&2; exit 1; }
BUILD=$(cd "$BUILD" && pwd)
WORK=$(mktemp -d /tmp/basalt-zpl-io.XXXXXX)
export BASALT_ROOT=$WORK/root
POOL=zio$$
MNT=$WORK/mnt
cleanup()
{
	"$BUILD/zpool" destroy -f "$POOL" >/dev/null 2>&1 || true
	"$BUILD/basalt" zfsd --stop >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$BASALT_ROOT" "$MNT"
truncate -s 4G "$WORK/pool.img"
"$BUILD/zpool" create -O compression=off -m "$MNT" "$POOL" "$WORK/pool.img" >/dev/null
head -c $((SEQMIB << 20)) /dev/urandom >"$WORK/src"

rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }
secs() { local t0=$1 t1=$EPOCHREALTIME; awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'; }

t0=$EPOCHREALTIME
dd if="$WORK/src" of="$MNT/seq" bs=1M conv=fsync status=none
echo "sequential write $SEQMIB MiB, fsync (MiB/s): $(rate $((SEQMIB << 20)) "$(secs "$t0")")"
"$BUILD/zpool" export "$POOL"
"$BUILD/zpool" import -d "$WORK" "$POOL" >/dev/null
sync
echo 3 >/proc/sys/vm/drop_caches
t0=$EPOCHREALTIME
dd if="$MNT/seq" of=/dev/null bs=1M status=none
echo "sequential read $SEQMIB MiB, cold (MiB/s): $(rate $((SEQMIB << 20)) "$(secs "$t0")")"
t0=$EPOCHREALTIME
dd if="$MNT/seq" of=/dev/null bs=1M status=none
echo "sequential re-read $SEQMIB MiB, warm (MiB/s): $(rate $((SEQMIB << 20)) "$(secs "$t0")")"
cmp "$WORK/src" "$MNT/seq" || { echo "zpl_io.sh: read back differs" >&2; exit 1; }
rm -f "$WORK/src"

dd if=/dev/urandom of="$MNT/rand" bs=1M count=$RANDMIB conv=fsync status=none
for rw in randwrite randread; do
	iops=$(fio --name=$rw --filename="$MNT/rand" --rw=$rw --bs=4k --size=${RANDMIB}M \
		--time_based --runtime=$SECS --ioengine=psync --output-format=terse --terse-version=3 |
		awk -F';' -v rw=$rw '{ print rw == "randread" ? $8 : $49 }')
	echo "4 KiB $rw ${SECS} s on ${RANDMIB} MiB (IOPS): $iops"
done

cc -O2 -o "$WORK/mkfiles" "$HERE/mkfiles.c"
mkdir "$MNT/files"
s=$("$WORK/mkfiles" "$MNT/files" $NFILES 1024)
echo "create $NFILES files of 1024 B (files/s): $(awk -v n=$NFILES -v s="$s" 'BEGIN { printf "%.0f", n / s }')"
