#!/bin/bash
# Storage benchmark: Basalt's pool (lib/stor behind `basalt zfsd`, mounted through FUSE) against
# Debian's zfs-fuse, side by side in one run, with ext4 (on a loop device) and tmpfs as the
# limits of what the kernel does on its own. fio measures sequential and 4 KiB random I/O on
# every file system; a tree of small files measures creation; on the two ZFS implementations,
# snapshot, clone, rollback and full and incremental send of that tree (and of an empty file
# system, to show the cost does not grow with size). Prints one table and exits 0.
# Run as root from the source tree after building: bench/storage.sh [options] (see usage).

set -u

usage()
{
	cat <<EOF
usage: bench/storage.sh [-n COUNT] [-b MIB] [-t SECONDS] [-r REPS] [-B BUILDDIR] [-P] [-k]

  -n COUNT    small files in the tree (default 10000, 1 KiB each, 1000 per directory)
  -b MIB      size of the sequentially written and read file (default 512)
  -t SECONDS  duration of each 4 KiB random I/O run, on a 256 MiB file (default 10)
  -r REPS     repetitions of each dataset operation; the median is reported (default 5)
  -B DIR      Basalt's build directory (default: build/ next to bench/)
  -P          Basalt only: skip zfs-fuse, ext4 and tmpfs
  -k          keep the scratch directory for inspection
EOF
}

NFILES=10000
SEQMIB=512
SECS=10
REPS=5
RANDMIB=256
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$HERE/../build
PEERS=1
KEEP=0

while getopts "n:b:t:r:B:Pkh" opt; do
	case $opt in
	n) NFILES=$OPTARG ;;
	b) SEQMIB=$OPTARG ;;
	t) SECS=$OPTARG ;;
	r) REPS=$OPTARG ;;
	B) BUILD=$OPTARG ;;
	P) PEERS=0 ;;
	k) KEEP=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
for v in "$NFILES" "$SEQMIB" "$SECS" "$REPS"; do
	[[ $v =~ ^[0-9]+$ ]] || { echo "storage.sh: '$v' is not a number" >&2; usage >&2; exit 2; }
done
((REPS >= 1 && SEQMIB >= 1 && SECS >= 1 && NFILES >= 100)) ||
	{ echo "storage.sh: -r, -b and -t must be at least 1, -n at least 100" >&2; exit 2; }

[[ $(id -u) == 0 ]] || { echo "storage.sh: run as root (mounts, drop_caches)" >&2; exit 1; }
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || BUILD=
[[ -n $BUILD && -x $BUILD/basalt && -x $BUILD/zfs && -x $BUILD/zpool ]] ||
	{ echo "storage.sh: no build; build first: meson setup build && ninja -C build" >&2
	  exit 1; }

WORK=$(mktemp -d /tmp/basalt-storage-bench.XXXXXX)
MNT=
ZCACHE=/var/lib/zfs/zpool.cache # zfs-fuse's
export BASALT_ROOT=$WORK/basalt-root
export BASALT_DEFAULT_POOL_SIZE=256M
ENGINES=(basalt zfs-fuse ext4 tmpfs)
declare -A RES SKIP RETRIES   # RES[engine,figure]: space-separated samples
declare -a NOTES
FDAEMON_PID=

note() { NOTES+=("$*"); echo "  note: $*" >&2; }
log() { echo "== $*" >&2; }
now_us() { local t=$EPOCHREALTIME; echo $((10#${t/./})); }
add() { RES[$1,$2]="${RES[$1,$2]:-} $3"; }

median()
{
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit; m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		printf "%.1f\n", m }'
}

# need PACKAGE COMMAND: install a Debian package when its command is missing
need()
{
	command -v "$2" >/dev/null && return 0
	log "installing $1"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >"$WORK/apt.log" 2>&1 &&
		command -v "$2" >/dev/null
}

# timed ENGINE FIGURE CMD...: run CMD, record its wall time in ms. zfs-fuse refuses some
# commands right after a mount ("dataset is busy"): those are retried, and the successful
# attempt is timed.
timed()
{
	local e=$1 fig=$2 t0 t1 rc tries=0
	shift 2
	while :; do
		t0=$(now_us)
		"$@" >/dev/null 2>"$WORK/err"
		rc=$?
		t1=$(now_us)
		if ((rc != 0)) && grep -q busy "$WORK/err" && ((tries < 20)); then
			tries=$((tries + 1))
			sleep 0.25
			continue
		fi
		break
	done
	RETRIES[$e]=$((${RETRIES[$e]:-0} + tries))
	if ((rc != 0)); then
		note "$e: '$*' failed ($rc): $(head -c 300 "$WORK/err" | tr '\n' ' ')"
		add "$e" "$fig" FAIL
		return $rc
	fi
	add "$e" "$fig" "$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1000 }')"
}

# timed_send ENGINE FIGURE ZFS ARGS...: like timed, for `zfs send ARGS > /dev/null`
timed_send()
{
	local e=$1 fig=$2 zfs=$3
	shift 3
	timed "$e" "$fig" "$zfs" send "$@" # (timed sends its output to /dev/null)
}

drop_caches()
{
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || note "could not drop caches"
}

# fio_run FIELD ARGS...: run one fio job and print one field of its terse (v3) line:
# 7 = read KiB/s, 8 = read IOPS, 48 = write KiB/s, 49 = write IOPS
fio_run()
{
	local field=$1
	shift
	fio --name=job --ioengine=psync --output-format=terse --terse-version=3 "$@" \
		2>"$WORK/err" | awk -F';' -v f="$field" '{ print $f }'
}

# ---- the engines: setup_ENGINE sets MNT to its mount directory (in this shell: it may start a
# daemon whose pid the teardown needs); uncache drops the engine's own caches ----

setup_basalt()
{
	mkdir -p "$BASALT_ROOT" "$WORK/basalt-mnt"
	truncate -s 8G "$WORK/basalt.img"
	"$BUILD/zpool" create -O compression=off -m "$WORK/basalt-mnt" bbench \
		"$WORK/basalt.img" >/dev/null 2>"$WORK/err" || return 1
	MNT=$WORK/basalt-mnt
}

setup_zfs-fuse()
{
	need zfs-fuse zfs-fuse || { echo "apt-get install zfs-fuse failed" >"$WORK/err"; return 1; }
	if pgrep -x zfs-fuse >/dev/null; then
		echo "a zfs-fuse daemon this script did not start is running" >"$WORK/err"
		return 1
	fi
	# the daemon imports every pool of its cache file at start: ours starts with none, and
	# whatever was there is put back at the end
	if [[ -e $ZCACHE ]]; then
		mv "$ZCACHE" "$WORK/zpool.cache.saved" || return 1
	fi
	/usr/sbin/zfs-fuse -p "$WORK/zfs-fuse.pid" >"$WORK/zfs-fuse.log" 2>&1
	for ((i = 0; i < 100; i++)); do
		[[ -s $WORK/zfs-fuse.pid ]] && /usr/sbin/zpool list >/dev/null 2>&1 && break
		sleep 0.1
	done
	FDAEMON_PID=$(cat "$WORK/zfs-fuse.pid" 2>/dev/null)
	mkdir -p "$WORK/zfsfuse-img" "$WORK/zfsfuse-mnt"
	truncate -s 8G "$WORK/zfsfuse-img/pool.img"
	/usr/sbin/zpool create -O compression=off -m "$WORK/zfsfuse-mnt" zfbench \
		"$WORK/zfsfuse-img/pool.img" >/dev/null 2>"$WORK/err" || return 1
	MNT=$WORK/zfsfuse-mnt
}

setup_ext4()
{
	need e2fsprogs mkfs.ext4 || return 1
	mkdir -p "$WORK/ext4-mnt"
	truncate -s 8G "$WORK/ext4.img"
	mkfs.ext4 -q -F "$WORK/ext4.img" >"$WORK/err" 2>&1 &&
		mount -o loop "$WORK/ext4.img" "$WORK/ext4-mnt" 2>"$WORK/err" || return 1
	MNT=$WORK/ext4-mnt
}

setup_tmpfs()
{
	mkdir -p "$WORK/tmpfs-mnt"
	mount -t tmpfs -o size=4G tmpfs "$WORK/tmpfs-mnt" 2>"$WORK/err" || return 1
	MNT=$WORK/tmpfs-mnt
}

# uncache ENGINE: make the next read come from the device: the ZFS implementations export and
# import their pool (emptying their own caches), ext4 is remounted; tmpfs has no device.
uncache()
{
	case $1 in
	basalt)
		"$BUILD/zpool" export bbench && "$BUILD/zpool" import -d "$WORK" bbench >/dev/null ;;
	zfs-fuse)
		/usr/sbin/zpool export zfbench &&
			/usr/sbin/zpool import -d "$WORK/zfsfuse-img" zfbench >/dev/null ;;
	ext4)
		umount "$WORK/ext4-mnt" && mount -o loop "$WORK/ext4.img" "$WORK/ext4-mnt" ;;
	esac
	drop_caches
}

zfs_of()
{
	case $1 in
	basalt) echo "$BUILD/zfs bbench" ;;
	zfs-fuse) echo "/usr/sbin/zfs zfbench" ;;
	esac
}

# ---- the measurements ----

# io ENGINE DIR: fio's sequential and random rows
io()
{
	local e=$1 d=$2 v
	log "$e: sequential write and read of $SEQMIB MiB, 1 MiB blocks"
	v=$(fio_run 48 --filename="$d/seq" --rw=write --bs=1M --size="${SEQMIB}M" --end_fsync=1)
	add "$e" seq_write "$(awk -v k="$v" 'BEGIN { printf "%.0f", k / 1024 }')"
	uncache "$e" || note "$e: could not empty the caches: the read is warm"
	v=$(fio_run 7 --filename="$d/seq" --rw=read --bs=1M --size="${SEQMIB}M")
	add "$e" seq_read "$(awk -v k="$v" 'BEGIN { printf "%.0f", k / 1024 }')"
	rm -f "$d/seq"

	log "$e: 4 KiB random write and read, $SECS s each on $RANDMIB MiB"
	dd if=/dev/urandom of="$d/rand" bs=1M count=$RANDMIB conv=fsync status=none
	add "$e" rand_write "$(fio_run 49 --filename="$d/rand" --rw=randwrite --bs=4k \
		--size="${RANDMIB}M" --time_based --runtime="$SECS")"
	uncache "$e" || note "$e: could not empty the caches before the random reads"
	add "$e" rand_read "$(fio_run 8 --filename="$d/rand" --rw=randread --bs=4k \
		--size="${RANDMIB}M" --time_based --runtime="$SECS")"
	rm -f "$d/rand"
}

# tree ENGINE DIR: create the tree of small files, in a file system of its own on ZFS
tree()
{
	local e=$1 d=$2 s
	log "$e: creating $NFILES files of 1 KiB"
	s=$("$MKFILES" "$d/files" "$NFILES" 1024 2>"$WORK/err") ||
		{ note "$e: creating files failed: $(head -c 300 "$WORK/err")"; add "$e" create FAIL
		  return; }
	add "$e" create "$(awk -v n="$NFILES" -v s="$s" 'BEGIN { printf "%.0f", n / s }')"
}

# dataset_ops ENGINE DIR: snapshot, clone, rollback and send, on the tree and on an empty fs
dataset_ops()
{
	local e=$1 d=$2 zfs pool r ds i
	read -r zfs pool <<<"$(zfs_of "$e")"
	# what the tree creation left in memory goes to disk first, untimed
	"$zfs" snapshot "$pool/files@settle" && "$zfs" destroy "$pool/files@settle"
	log "$e: snapshot, clone, rollback, send; $REPS repetitions"
	for ((r = 1; r <= REPS; r++)); do
		for ds in empty files; do
			timed "$e" "snap_$ds" "$zfs" snapshot "$pool/$ds@a$r" || continue
			timed "$e" "clone_$ds" "$zfs" clone "$pool/$ds@a$r" "$pool/$ds-c$r"
			echo changed >"$d/$ds/after-a$r"
			timed "$e" "rollback_$ds" "$zfs" rollback "$pool/$ds@a$r"
			[[ -e $d/$ds/after-a$r ]] &&
				note "$e: rollback of $pool/$ds@a$r kept a file written after it"
			"$zfs" destroy "$pool/$ds-c$r" >/dev/null 2>&1 ||
				{ sleep 0.5; "$zfs" destroy "$pool/$ds-c$r" >/dev/null 2>&1; }
		done
		timed_send "$e" send_full "$zfs" "$pool/files@a$r"
		for ((i = 0; i < 100; i++)); do
			echo "r$r" >>"$d/files/d00000/f$(printf %07d "$i")"
		done
		"$zfs" snapshot "$pool/files@b$r" >/dev/null
		timed_send "$e" send_incr "$zfs" -i "$pool/files@a$r" "$pool/files@b$r"
		"$zfs" destroy "$pool/files@b$r" >/dev/null 2>&1
		for ds in empty files; do
			"$zfs" destroy "$pool/$ds@a$r" >/dev/null 2>&1
		done
	done
	# what the figures rest on: the full stream holds the tree
	"$zfs" snapshot "$pool/files@check" >/dev/null
	local bytes
	bytes=$("$zfs" send "$pool/files@check" | wc -c)
	((bytes > NFILES * 1024)) ||
		note "$e: the full stream of $NFILES files is only $bytes bytes"
}

run_engine()
{
	local e=$1 d zfs pool
	"setup_$e" || { SKIP[$e]="setup failed: $(head -c 200 "$WORK/err" | tr '\n' ' ')"
			teardown "$e"
			return; }
	d=$MNT
	if [[ $e == basalt || $e == zfs-fuse ]]; then
		read -r zfs pool <<<"$(zfs_of "$e")"
		"$zfs" create "$pool/files" && "$zfs" create "$pool/empty" ||
			{ SKIP[$e]="cannot create file systems"; return; }
	else
		mkdir -p "$d/files" "$d/empty"
	fi
	io "$e" "$d"
	tree "$e" "$d"
	[[ $e == basalt || $e == zfs-fuse ]] && dataset_ops "$e" "$d"
	teardown "$e"
}

teardown()
{
	case $1 in
	basalt)
		"$BUILD/zpool" destroy -f bbench >/dev/null 2>&1
		"$BUILD/basalt" zfsd --stop >/dev/null 2>&1 ;;
	zfs-fuse)
		[[ -n $FDAEMON_PID ]] || return 0
		/usr/sbin/zpool destroy -f zfbench >/dev/null 2>&1
		kill "$FDAEMON_PID" 2>/dev/null
		for ((i = 0; i < 600; i++)); do
			kill -0 "$FDAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$FDAEMON_PID" 2>/dev/null && kill -9 "$FDAEMON_PID" 2>/dev/null
		FDAEMON_PID=
		rm -f "$ZCACHE"
		[[ -e $WORK/zpool.cache.saved ]] && mv "$WORK/zpool.cache.saved" "$ZCACHE" ;;
	ext4 | tmpfs)
		umount "$WORK/$1-mnt" 2>/dev/null ;;
	esac
	umount_ours
}

# Detach whatever mounts of ours remain, deepest first.
umount_ours()
{
	local m
	awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
}

cleanup()
{
	local e
	for e in "${ENGINES[@]}"; do teardown "$e" >/dev/null 2>&1; done
	if ((KEEP)); then
		echo "scratch kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need fio fio || { echo "storage.sh: fio is missing and apt-get could not install it" >&2; exit 1; }
log "scratch $WORK"
MKFILES=$WORK/mkfiles
cc -O2 -o "$MKFILES" "$HERE/mkfiles.c" || { echo "storage.sh: cannot compile mkfiles.c" >&2; exit 1; }

for e in "${ENGINES[@]}"; do
	if ((!PEERS)) && [[ $e != basalt ]]; then
		SKIP[$e]="skipped: -P"
		continue
	fi
	run_engine "$e"
	((${RETRIES[$e]:-0} > 0)) && note "$e: ${RETRIES[$e]} command(s) retried after 'busy'"
done

# cell ENGINE FIGURE: the median of a figure, FAIL if any sample failed, - if not measured
cell()
{
	local s=${RES[$1,$2]:-}
	if [[ -n ${SKIP[$1]:-} ]]; then
		echo "skipped"
	elif [[ -z $s ]]; then
		echo "-"
	elif [[ $s == *FAIL* ]]; then
		echo FAIL
	else
		# shellcheck disable=SC2086
		median $s
	fi
}

# figures: key|unit|label; unit "ms" is a time (lower is better), anything else a rate
figures=(
	"seq_write|MiB/s|sequential write ${SEQMIB} MiB, 1 MiB blocks"
	"seq_read|MiB/s|sequential read ${SEQMIB} MiB, cold"
	"rand_write|IOPS|4 KiB random write, ${SECS} s"
	"rand_read|IOPS|4 KiB random read, ${SECS} s, cold"
	"create|files/s|create $NFILES files of 1 KiB"
	"snap_files|ms|snapshot, $NFILES files"
	"snap_empty|ms|snapshot, empty fs"
	"clone_files|ms|clone, $NFILES files"
	"clone_empty|ms|clone, empty fs"
	"rollback_files|ms|rollback, $NFILES files"
	"rollback_empty|ms|rollback, empty fs"
	"send_full|ms|full send, $NFILES files"
	"send_incr|ms|incremental send, 100 files changed"
)

echo
echo "Storage, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r); medians of $REPS" \
	"for the dataset operations"
printf '%-42s %-8s %9s %9s %9s %9s %8s\n' figure unit basalt zfs-fuse ext4 tmpfs "x zfs-fuse"
for f in "${figures[@]}"; do
	IFS='|' read -r key unit label <<<"$f"
	b=$(cell basalt "$key")
	z=$(cell zfs-fuse "$key")
	x=$(cell ext4 "$key")
	t=$(cell tmpfs "$key")
	speedup=$(awk -v b="$b" -v z="$z" -v u="$unit" 'BEGIN {
		if (b !~ /^[0-9.]+$/ || z !~ /^[0-9.]+$/ || b == 0 || z == 0) { print "-"; exit }
		printf "%.2f", u == "ms" ? z / b : b / z }')
	printf '%-42s %-8s %9s %9s %9s %9s %8s\n' "$label" "$unit" "$b" "$z" "$x" "$t" "$speedup"
done
echo "x zfs-fuse: how many times better Basalt is than zfs-fuse (rates: basalt/zfs-fuse;" \
	"times: zfs-fuse/basalt)."
for e in "${ENGINES[@]}"; do
	[[ -n ${SKIP[$e]:-} && ${SKIP[$e]} != "skipped: -P" ]] && echo "$e: ${SKIP[$e]}"
done
for n in "${NOTES[@]}"; do echo "note: $n"; done
exit 0
