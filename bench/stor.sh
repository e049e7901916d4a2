#!/bin/bash
# Storage benchmark: Basalt's pool (lib/stor behind `basalt zfsd`, mounted through FUSE) against
# Debian's zfs-fuse, side by side. Times snapshot, clone, rollback and destroy on an empty file
# system and on one holding many small files, the small-file creation rate, and sequential
# write/read of a large file; prints one table (figure, basalt, zfs-fuse, ratio) and exits 0.
# Run as root from the source tree after building: bench/stor.sh [-n COUNT] ... (see usage).

set -u

usage()
{
	cat <<EOF
usage: bench/stor.sh [-n COUNT] [-s BYTES] [-b MIB] [-r REPS] [-B BUILDDIR] [-P] [-k]

  -n COUNT   small files in the populated file system (default 100000)
  -s BYTES   size of each small file (default 1024)
  -b MIB     size of the sequentially written and read file, in MiB (default 1024)
  -r REPS    repetitions of each dataset operation; the median is reported (default 5)
  -B DIR     Basalt's build directory (default: build/ next to bench/)
  -P         skip the peer (zfs-fuse)
  -k         keep the scratch directory (pool files) for inspection
EOF
}

NFILES=100000
FSIZE=1024
BIGMIB=1024
REPS=5
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$HERE/../build
PEER=1
KEEP=0

while getopts "n:s:b:r:B:Pkh" opt; do
	case $opt in
	n) NFILES=$OPTARG ;;
	s) FSIZE=$OPTARG ;;
	b) BIGMIB=$OPTARG ;;
	r) REPS=$OPTARG ;;
	B) BUILD=$OPTARG ;;
	P) PEER=0 ;;
	k) KEEP=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
for v in "$NFILES" "$FSIZE" "$BIGMIB" "$REPS"; do
	[[ $v =~ ^[0-9]+$ ]] || { echo "stor.sh: '$v' is not a number" >&2; usage >&2; exit 2; }
done
((REPS >= 1 && BIGMIB >= 1)) || { echo "stor.sh: -r and -b must be at least 1" >&2; exit 2; }
((FSIZE <= 65536)) || { echo "stor.sh: -s must be at most 65536" >&2; exit 2; }

[[ $(id -u) == 0 ]] || { echo "stor.sh: run as root (FUSE mounts, drop_caches)" >&2; exit 1; }
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || BUILD=
[[ -n $BUILD && -x $BUILD/basalt ]] ||
	{ echo "stor.sh: no build/basalt; build first: meson setup build && ninja -C build" >&2
	  exit 1; }
BZFS=$BUILD/zfs
BZPOOL=$BUILD/zpool
[[ -x $BZFS && -x $BZPOOL ]] || { echo "stor.sh: $BUILD lacks the zfs/zpool links" >&2; exit 1; }
FZFS=/usr/sbin/zfs
FZPOOL=/usr/sbin/zpool
FDAEMON=/usr/sbin/zfs-fuse

WORK=$(mktemp -d /tmp/basalt-stor-bench.XXXXXX)
export BASALT_ROOT=$WORK/basalt-root
export BASALT_DEFAULT_POOL_SIZE=256M
BPOOL=bbench$$
FPOOL=zfbench$$
FDAEMON_PID=
declare -A RES   # RES[impl,figure] = space-separated samples
declare -a NOTES

note() { NOTES+=("$*"); echo "  note: $*" >&2; }
log() { echo "== $*" >&2; }

# Microseconds since the epoch.
now_us() { local t=$EPOCHREALTIME; echo $((10#${t/./})); }

# Median of the arguments (numbers), printed with 1 decimal.
median()
{
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit; m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		printf "%.1f\n", m }'
}

add() { RES[$1,$2]="${RES[$1,$2]:-} $3"; }

# timed IMPL FIGURE CMD...: run CMD, record its wall time in ms under FIGURE. A command that
# fails because a dataset is busy (zfs-fuse, right after a mount) is retried, up to 20 times;
# the time recorded is the successful attempt's. Returns CMD's status.
declare -A RETRIES
timed()
{
	local impl=$1 fig=$2 t0 t1 rc tries=0
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
	RETRIES[$impl]=$((${RETRIES[$impl]:-0} + tries))
	if ((rc != 0)); then
		note "$impl: '$*' failed ($rc): $(head -c 300 "$WORK/err" | tr '\n' ' ')"
		add "$impl" "$fig" FAIL
		return $rc
	fi
	add "$impl" "$fig" "$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1000 }')"
}

drop_caches()
{
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || note "could not drop caches: read is warm"
}

# run_suite IMPL ZFS MOUNTROOT POOL: the whole measurement on one implementation whose pool
# POOL is mounted at MOUNTROOT.
run_suite()
{
	local impl=$1 zfs=$2 mnt=$3 pool=$4 ds r t0 t1 sz n

	log "$impl: creating $NFILES files of $FSIZE bytes"
	"$zfs" create "$pool/empty" && "$zfs" create "$pool/files" ||
		{ note "$impl: cannot create file systems"; return 1; }
	t0=$(now_us)
	if "$MKFILES" "$mnt/files" "$NFILES" "$FSIZE" >/dev/null 2>"$WORK/err"; then
		t1=$(now_us)
		add "$impl" create_rate \
			"$(awk -v n="$NFILES" -v d=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (d / 1e6) }')"
	else
		note "$impl: creating files failed: $(head -c 300 "$WORK/err")"
		add "$impl" create_rate FAIL
	fi
	# The first snapshot after the writes carries them to disk (the pending transaction group).
	timed "$impl" snap_first "$zfs" snapshot "$pool/files@first" &&
		"$zfs" destroy "$pool/files@first"

	log "$impl: snapshot/clone/rollback/destroy, $REPS repetitions"
	for ((r = 1; r <= REPS; r++)); do
		for ds in empty files; do
			timed "$impl" "snap_$ds" "$zfs" snapshot "$pool/$ds@b$r" || continue
			timed "$impl" "clone_$ds" "$zfs" clone "$pool/$ds@b$r" "$pool/$ds-c$r"
			if ((r == 1)) && [[ $ds == files ]] && ((NFILES > 0)); then
				# The clone must show the origin's files.
				ls "$mnt/files-c1/d$(printf %05d $(((NFILES - 1) / 1000)))" 2>/dev/null |
					grep -q "f$(printf %07d $((NFILES - 1)))" ||
					note "$impl: clone $pool/files-c1 lacks the last file"
			fi
			echo changed >"$mnt/$ds/after-b$r"
			timed "$impl" "rollback_$ds" "$zfs" rollback "$pool/$ds@b$r"
			[[ -e $mnt/$ds/after-b$r ]] &&
				note "$impl: rollback of $pool/$ds@b$r kept a file written after it"
			timed "$impl" "destroy_clone_$ds" "$zfs" destroy "$pool/$ds-c$r"
			timed "$impl" "destroy_snap_$ds" "$zfs" destroy "$pool/$ds@b$r"
		done
	done

	# A rollback that discards much: every file removed since the snapshot.
	if ((NFILES > 0)) && timed "$impl" snap_big "$zfs" snapshot "$pool/files@all"; then
		t0=$(now_us)
		rm -rf "$mnt/files/"d[0-9]*
		t1=$(now_us)
		add "$impl" rm_rate \
			"$(awk -v n="$NFILES" -v d=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (d / 1e6) }')"
		timed "$impl" rollback_big "$zfs" rollback "$pool/files@all"
		n=$(find "$mnt/files" -type f -name 'f*' | wc -l)
		((n == NFILES)) ||
			note "$impl: after rolling back the removal, $n files of $NFILES are back"
		timed "$impl" destroy_snap_big "$zfs" destroy "$pool/files@all"
	fi

	log "$impl: sequential write and read of $BIGMIB MiB"
	"$zfs" create "$pool/seq" || { note "$impl: cannot create $pool/seq"; return 1; }
	cat "$WORK/src" >/dev/null
	t0=$(now_us)
	if dd if="$WORK/src" of="$mnt/seq/big" bs=1M conv=fsync status=none 2>"$WORK/err"; then
		t1=$(now_us)
		add "$impl" seq_write "$(awk -v m="$BIGMIB" -v d=$((t1 - t0)) \
			'BEGIN { printf "%.0f", m / (d / 1e6) }')"
	else
		note "$impl: dd write failed: $(head -c 300 "$WORK/err")"
		add "$impl" seq_write FAIL
	fi
	drop_caches
	t0=$(now_us)
	if dd if="$mnt/seq/big" of=/dev/null bs=1M status=none 2>"$WORK/err"; then
		t1=$(now_us)
		add "$impl" seq_read "$(awk -v m="$BIGMIB" -v d=$((t1 - t0)) \
			'BEGIN { printf "%.0f", m / (d / 1e6) }')"
	else
		note "$impl: dd read failed: $(head -c 300 "$WORK/err")"
		add "$impl" seq_read FAIL
	fi
	sz=$(stat -c %s "$mnt/seq/big" 2>/dev/null || echo 0)
	((sz == BIGMIB * 1048576)) || note "$impl: $mnt/seq/big is $sz bytes, not $((BIGMIB * 1048576))"
	cmp -s "$WORK/src" "$mnt/seq/big" || note "$impl: $mnt/seq/big differs from what was written"
	return 0
}

# Detach whatever FUSE mounts of ours remain, deepest first.
umount_ours()
{
	local m
	awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
}

stop_peer()
{
	[[ -n $FDAEMON_PID ]] || return 0
	"$FZPOOL" destroy -f "$FPOOL" >/dev/null 2>&1
	kill "$FDAEMON_PID" 2>/dev/null
	for ((i = 0; i < 600; i++)); do
		kill -0 "$FDAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$FDAEMON_PID" 2>/dev/null && kill -9 "$FDAEMON_PID" 2>/dev/null
	FDAEMON_PID=
}

cleanup()
{
	if [[ -S $BASALT_ROOT/run/zfsd.sock ]]; then
		"$BZPOOL" destroy -f "$BPOOL" >/dev/null 2>&1
		"$BUILD/basalt" zfsd --stop >/dev/null 2>&1
	fi
	stop_peer
	umount_ours
	if ((KEEP)); then
		echo "scratch kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "scratch $WORK"
MKFILES=$WORK/mkfiles
cc -O2 -o "$MKFILES" "$HERE/mkfiles.c" || { echo "stor.sh: cannot compile mkfiles.c" >&2; exit 1; }
head -c $((BIGMIB * 1048576)) /dev/urandom >"$WORK/src"

# Basalt: a pool of its own on a sparse file vdev, compression off like zfs-fuse's default.
BSKIP=
mkdir -p "$BASALT_ROOT" "$WORK/basalt-mnt"
truncate -s 8G "$WORK/basalt.img"
if "$BZPOOL" create -O compression=off -m "$WORK/basalt-mnt" "$BPOOL" "$WORK/basalt.img" \
	>/dev/null 2>"$WORK/err"; then
	run_suite basalt "$BZFS" "$WORK/basalt-mnt" "$BPOOL"
	"$BZPOOL" destroy -f "$BPOOL" >/dev/null 2>&1
	"$BUILD/basalt" zfsd --stop >/dev/null 2>&1
	umount_ours
else
	BSKIP="failed: zpool create: $(head -c 200 "$WORK/err" | tr '\n' ' ')"
fi

# The peer: Debian's zfs-fuse, installed here if missing, its daemon started and stopped by us.
FSKIP=
if ((!PEER)); then
	FSKIP="skipped: -P"
elif [[ ! -c /dev/fuse ]]; then
	FSKIP="skipped: no /dev/fuse"
elif [[ ! -x $FDAEMON ]] && ! { log "installing zfs-fuse"
		DEBIAN_FRONTEND=noninteractive apt-get install -y zfs-fuse >"$WORK/apt.log" 2>&1; }; then
	FSKIP="skipped: apt-get install zfs-fuse failed ($(tail -1 "$WORK/apt.log"))"
elif [[ ! -x $FDAEMON || ! -x $FZFS || ! -x $FZPOOL ]]; then
	FSKIP="skipped: zfs-fuse installed but $FDAEMON, $FZFS or $FZPOOL missing"
elif pgrep -x zfs-fuse >/dev/null; then
	FSKIP="skipped: a zfs-fuse daemon this script did not start is running"
else
	"$FDAEMON" -p "$WORK/zfs-fuse.pid" >"$WORK/zfs-fuse.log" 2>&1
	for ((i = 0; i < 100; i++)); do
		[[ -s $WORK/zfs-fuse.pid ]] && "$FZPOOL" list >/dev/null 2>&1 && break
		sleep 0.1
	done
	FDAEMON_PID=$(cat "$WORK/zfs-fuse.pid" 2>/dev/null)
	mkdir -p "$WORK/zfsfuse-mnt"
	truncate -s 8G "$WORK/zfsfuse.img"
	if [[ -z $FDAEMON_PID ]] || ! kill -0 "$FDAEMON_PID" 2>/dev/null; then
		FSKIP="skipped: zfs-fuse daemon did not start ($(tail -1 "$WORK/zfs-fuse.log"))"
		FDAEMON_PID=
	elif ! "$FZPOOL" create -O compression=off -m "$WORK/zfsfuse-mnt" "$FPOOL" \
		"$WORK/zfsfuse.img" >/dev/null 2>"$WORK/err"; then
		FSKIP="skipped: zpool create failed: $(head -c 200 "$WORK/err" | tr '\n' ' ')"
	else
		run_suite zfs-fuse "$FZFS" "$WORK/zfsfuse-mnt" "$FPOOL"
		((${RETRIES[zfs-fuse]:-0} > 0)) &&
			note "zfs-fuse: ${RETRIES[zfs-fuse]} command(s) retried after 'dataset is busy'"
	fi
	stop_peer
	umount_ours
fi
((${RETRIES[basalt]:-0} > 0)) && note "basalt: ${RETRIES[basalt]} command(s) retried after 'busy'"

# cell IMPL FIGURE SKIP: the median of a figure, FAIL if any sample failed, or the skip reason.
cell()
{
	local s=${RES[$1,$2]:-}
	if [[ -n $3 ]]; then
		echo "${3%%:*}"
	elif [[ -z $s ]]; then
		echo "-"
	elif [[ $s == *FAIL* ]]; then
		echo FAIL
	else
		# shellcheck disable=SC2086
		median $s
	fi
}

figures=(
	"create_rate|create $NFILES files of $FSIZE B (files/s)"
	"snap_first|first snapshot after creating them (ms)"
	"snap_empty|snapshot, empty fs (ms)"
	"snap_files|snapshot, $NFILES files (ms)"
	"clone_empty|clone, empty fs (ms)"
	"clone_files|clone, $NFILES files (ms)"
	"rollback_empty|rollback, empty fs (ms)"
	"rollback_files|rollback, $NFILES files (ms)"
	"destroy_clone_empty|destroy clone, empty fs (ms)"
	"destroy_clone_files|destroy clone, $NFILES files (ms)"
	"destroy_snap_empty|destroy snapshot, empty fs (ms)"
	"destroy_snap_files|destroy snapshot, $NFILES files (ms)"
	"rm_rate|remove the $NFILES files, rm -rf (files/s)"
	"rollback_big|rollback bringing them all back (ms)"
	"seq_write|sequential write $BIGMIB MiB, fsync (MiB/s)"
	"seq_read|sequential read $BIGMIB MiB, cold (MiB/s)"
)

echo
echo "Basalt vs zfs-fuse, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r);" \
	"median of $REPS for the dataset operations"
printf '%-46s %12s %12s %8s\n' figure basalt zfs-fuse ratio
for f in "${figures[@]}"; do
	key=${f%%|*}
	b=$(cell basalt "$key" "$BSKIP")
	z=$(cell zfs-fuse "$key" "$FSKIP")
	ratio=$(awk -v b="$b" -v z="$z" 'BEGIN {
		if (b ~ /^[0-9.]+$/ && z ~ /^[0-9.]+$/ && z > 0) printf "%.2f", b / z; else print "-" }')
	printf '%-46s %12s %12s %8s\n' "${f#*|}" "$b" "$z" "$ratio"
done
echo "ratio = basalt / zfs-fuse: below 1 is better for times (ms), above 1 for rates."
for impl in basalt zfs-fuse; do
	line=
	for op in snap clone rollback destroy_clone destroy_snap; do
		e=$(cell "$impl" "${op}_empty" "")
		n=$(cell "$impl" "${op}_files" "")
		line+=" $op $(awk -v e="$e" -v n="$n" 'BEGIN {
			if (e ~ /^[0-9.]+$/ && n ~ /^[0-9.]+$/ && e > 0) printf "x%.1f", n / e; else print "-" }')"
	done
	echo "$impl, $NFILES files vs empty:$line"
done
[[ -n $BSKIP ]] && echo "basalt: $BSKIP"
[[ -n $FSKIP ]] && echo "zfs-fuse: $FSKIP"
for n in "${NOTES[@]}"; do echo "note: $n"; done
exit 0
