#!/bin/bash
# bench/vmm.sh - Basalt's VMM against its peers, in one run and one environment:
#   1. start-to-exit of a tiny guest on this host's /dev/kvm: Basalt (tests/guest/null.c, direct
#      entry) and QEMU microvm (a 10-byte real-mode BIOS that writes isa-debug-exit); kvmtool
#      when $LKVM names an lkvm binary;
#   2. the VMM's own memory: resident set minus the guest RAM it touched, with an idle guest
#      of 256 MiB (Basalt: tests/guest/idle.c; QEMU microvm: a BIOS that spins);
#   3. in the nested test host (QEMU TCG -cpu max, kvm-amd inside; see docs/design-vmm.md):
#      start-to-init of Debian's stock kernel with a busybox initramfs under Basalt (bzImage and
#      PVH entries), QEMU -M microvm and -M q35 (and kvmtool with $LKVM), NESTED_RUNS times
#      each in turn (default 3; the medians follow the figures), and 64 MiB read with dd from a
#      virtio disk under Basalt and QEMU q35. PEER_CMDLINE adds kernel parameters to the peers'
#      command line only (QEMU's and kvmtool's), e.g. the ones Basalt's VMM puts before every
#      guest's command line (docs/vmm.md), to see what those are worth to the peers.
# Prints one table. Run as root after building: bench/vmm.sh [RUNS] (default 20 tiny runs).
set -euo pipefail

REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BASALT_BUILD:-$REPO_DIR/build}
BASALT=$BUILD/basalt
RUNS=${1:-20}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/basalt-bench-vmm.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

[ -x "$BASALT" ] || { echo "bench/vmm.sh: build first (ninja -C build)" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || {
	echo "bench/vmm.sh: needs qemu-system-x86_64 (scripts/setup installs it)" >&2
	exit 1
}

ms_now() {
	date +%s%N
}

# median of the numbers on stdin
median() {
	sort -n | awk '{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# time_runs COMMAND...: RUNS runs of COMMAND, the median wall time in ms (3 decimals)
time_runs() {
	local i t0
	for ((i = 0; i < RUNS; i++)); do
		t0=$(ms_now)
		"$@" </dev/null >/dev/null 2>&1 || true
		echo $((($(ms_now) - t0) / 1000))
	done | median | awk '{ printf "%.1f", $1 / 1000 }'
}

# a 64 KiB BIOS whose reset vector writes 0 to port 0x501 (isa-debug-exit), or spins
python3 - "$TMP" <<'PY'
import sys
for name, code in (("exit", b"\xba\x01\x05\xb8\x00\x00\xef\xf4\xeb\xfd"), ("spin", b"\xeb\xfe")):
    img = bytearray(b"\x90" * 65536)
    img[0xfff0:0xfff0 + len(code)] = code
    open(f"{sys.argv[1]}/{name}.bin", "wb").write(bytes(img))
PY
QEMU_TINY=(qemu-system-x86_64 -M microvm -accel kvm -nodefaults -no-user-config
	-display none -device isa-debug-exit,iobase=0x501,iosize=2)

echo "== tiny guest, start to exit, median of $RUNS (ms)"
printf '%-16s %s\n' basalt "$(time_runs "$BASALT" vmm run --boot direct --memory 16 --no-rng \
	--console none --kernel "$BUILD/tests/guest/null.elf")"
printf '%-16s %s\n' qemu-microvm "$(time_runs "${QEMU_TINY[@]}" -m 16 -bios "$TMP/exit.bin")"
if [ -n "${LKVM:-}" ]; then
	# (lkvm says "Fatal:" and may still exit 0 when it cannot set a VM up: no figure then)
	lkvm_out=$("$LKVM" run --firmware "$TMP/exit.bin" -m 16 -c 1 </dev/null 2>&1 || true)
	if grep -q 'Fatal:' <<<"$lkvm_out"; then
		printf '%-16s %s\n' kvmtool "failed: $(grep -m 1 -E 'Warning|Fatal' <<<"$lkvm_out" | sed 's/^ *//')"
	else
		printf '%-16s %s\n' kvmtool "$(time_runs "$LKVM" run --firmware "$TMP/exit.bin" -m 16 -c 1)"
	fi
else
	printf '%-16s %s\n' kvmtool "skipped (set LKVM to an lkvm binary)"
fi

# overhead PID GUEST_MIB: VmRSS minus the resident part of the guest RAM mapping, in KiB
overhead() {
	python3 - "$1" "$2" <<'PY'
import re, sys
pid, mib = sys.argv[1], int(sys.argv[2])
rss = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1))
guest, size = 0, 0
for line in open(f"/proc/{pid}/smaps"):
    m = re.match(r"Size:\s+(\d+) kB", line)
    if m:
        size = int(m.group(1))
    m = re.match(r"Rss:\s+(\d+) kB", line)
    if m and size == mib * 1024:
        guest += int(m.group(1))
print(f"{rss - guest} KiB (VmRSS {rss} KiB, guest RAM resident {guest} KiB)")
PY
}

echo "== VMM memory beyond guest RAM, idle guest of 256 MiB"
"$BASALT" vmm run --boot direct --memory 256 --no-rng --kernel "$BUILD/tests/guest/idle.elf" \
	</dev/null >"$TMP/idle.out" 2>&1 &
PIDS+=($!)
until grep -q 'idle guest up' "$TMP/idle.out"; do sleep 0.05; done
sleep 0.5
printf '%-16s %s\n' basalt "$(overhead "${PIDS[-1]}" 256)"
kill "${PIDS[-1]}"
"${QEMU_TINY[@]}" -m 256 -bios "$TMP/spin.bin" </dev/null >/dev/null 2>&1 &
PIDS+=($!)
sleep 2
printf '%-16s %s\n' qemu-microvm "$(overhead "${PIDS[-1]}" 256)"
kill "${PIDS[-1]}"

echo "== nested test host (QEMU TCG -cpu max, kvm-amd): start to init, and virtio-blk"
CACHE=$("$REPO_DIR/scripts/vmm-guest-assets")
. "$REPO_DIR/tests/guest/initramfs.sh"
initramfs_inner "$TMP/inner.cpio"
extra=(/usr/bin/qemu-system-x86_64 /usr/share/qemu/qboot.rom /usr/share/qemu/bios-microvm.bin
	/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin
	/usr/share/seabios/bios-256k.bin)
host_args=
if [ -n "${PEER_CMDLINE:-}" ]; then
	host_args=" basalt.peer=$(tr ' ' ',' <<<"$PEER_CMDLINE")"
fi
if [ -n "${LKVM:-}" ]; then
	extra+=("$(realpath "$LKVM")")
	host_args+=" basalt.lkvm=$(realpath "$LKVM")"
fi
initramfs_outer "$TMP/outer.cpio" "$REPO_DIR/bench/vmm-host.sh" "$BASALT" "$TMP/inner.cpio" \
	"${extra[@]}"
timeout 600 qemu-system-x86_64 -accel tcg -cpu max -m 1536 -smp 2 -nographic -monitor none \
	-no-reboot -kernel "$CACHE/vmlinuz" -initrd "$TMP/outer.cpio" \
	-append "console=ttyS0 quiet panic=-1 rdinit=/init basalt.runs=${NESTED_RUNS:-3}$host_args" \
	</dev/null >"$TMP/nested.log" 2>&1 &
PIDS+=($!)
wait "${PIDS[-1]}" || true
grep -q 'BENCH done' "$TMP/nested.log" || {
	echo "bench/vmm.sh: the nested run did not finish:" >&2
	tail -n 30 "$TMP/nested.log" >&2
	exit 1
}
tr -d '\r' <"$TMP/nested.log" | sed -n 's/^BENCH \([^ ]*\) \(.*\)$/\1 \2/p' >"$TMP/nested.txt"
awk '{ printf "%-16s %s\n", $1, substr($0, length($1) + 2) }' "$TMP/nested.txt"
echo "== nested, medians of the boots above (ms)"
for name in $(awk '$2 == "init_ms" { print $1 }' "$TMP/nested.txt" | sort -u); do
	printf '%-16s init_ms %s\n' "$name" \
		"$(awk -v n="$name" '$1 == n && $2 == "init_ms" { print $3 }' "$TMP/nested.txt" | median)"
done
