#!/bin/bash
# zone_isolation: each isolation property of a zone, checked from inside a real running zone:
# its own namespaces, the pivoted root, host processes and another zone's invisible, /proc's
# knobs read-only and its leaks masked, a /dev of harmless devices with the device cgroup
# denying the rest, the capability bounding set, no_new_privs, the seccomp filter (a static
# probe calls each refused system call), and host clock and name out of reach.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/zone.sh"
use_zones
command -v cc >/dev/null || skip "no C compiler for the system call probe"

make_zone iso '"hostname": "isohost"'
make_zone other
cc -static -O2 -o "$TEST_TMP/iso/probe" "$TESTS_INTEGRATION_DIR/helpers/syscall-probe.c" ||
	fail "cannot build the system call probe"
expect_ok zoneadm -z iso boot
expect_ok zoneadm -z other boot
z() { zlogin iso "$@"; }

# namespaces: every one differs from the host's
for ns in mnt pid uts ipc net cgroup; do
	inside=$(z readlink "/proc/self/ns/$ns")
	[ -n "$inside" ] || fail "no $ns namespace link in the zone"
	[ "$inside" != "$(readlink "/proc/self/ns/$ns")" ] || fail "the zone shares the host's $ns namespace"
done

# pivot_root: the zone's / is its root; the host's files are not reachable
touch "$TEST_TMP/host-marker"
z sh -c "ls / | grep -q probe" || fail "the zone's / is not its root"
z sh -c "test -e '$TEST_TMP/host-marker'" && fail "a host file is visible in the zone"
[ "$(z sh -c 'wc -l < /proc/self/mountinfo')" -lt 30 ] || fail "the host's mounts are visible"
mounts=$(z cat /proc/self/mountinfo)
cut -d' ' -f5 <<<"$mounts" | grep -q "^$TEST_TMP" && fail "host mount points show in the zone"
[[ "$(head -n 1 <<<"$mounts" | cut -d' ' -f5)" == / ]] || fail "first mount is not /"

# host processes and the other zone's are invisible: kill fails (ESRCH)
other_init=$(zone_init_pid other)
for pid in $$ "$other_init"; do
	out=$(z kill -0 "$pid" 2>&1) && fail "the zone can signal host pid $pid"
	[[ "$out" == *"No such process"* ]] || fail "kill $pid: $out"
done
[ "$(z sh -c 'ls -d /proc/[0-9]* | wc -l')" -lt 10 ] || fail "the zone sees many processes"
z kill -0 1 || fail "the zone cannot see its own init"

# no file of the host's passes in: init has only its console, and zlogin's command only its
# stdio (3 is ls's own directory), even when zlogin was given more
[ "$(z ls /proc/1/fd | tr '\n' ' ')" = "0 1 2 " ] || fail "init's fds: $(z ls -l /proc/1/fd)"
fds=$(z ls /proc/self/fd 9</etc/passwd | tr '\n' ' ')
[ "$fds" = "0 1 2 3 " ] || fail "zlogin passed host files into the zone: $fds"

# /proc: knobs read-only, leaks masked (or absent from this kernel)
for p in sys sysrq-trigger irq bus; do
	[ -e "/proc/$p" ] || continue
	line=$(grep " /proc/$p " <<<"$mounts") || fail "/proc/$p is not a separate mount"
	[[ "$(cut -d' ' -f6 <<<"$line")" == ro,* ]] || fail "/proc/$p is not read-only: $line"
done
z sh -c 'echo evil > /proc/sys/kernel/hostname' 2>/dev/null && fail "/proc/sys is writable"
for p in kcore keys timer_list; do
	[ -e "/proc/$p" ] || continue
	[ -z "$(z cat "/proc/$p" 2>/dev/null | head -c 1)" ] || fail "/proc/$p is not masked"
done
[ -z "$(z ls /sys/firmware)" ] || fail "/sys/firmware is not masked"

# /dev: only the harmless devices (and the console); the device cgroup denies others
devs=$(z ls /dev | sort | tr '\n' ' ')
[ "$devs" = "console full null ptmx pts random shm tty urandom zero " ] || fail "/dev holds: $devs"
out=$(z sh -c 'mknod /tmp/disk b 8 0 && head -c 1 /tmp/disk' 2>&1) && fail "a block device opened"
[[ "$out" == *"Operation not permitted"* ]] || fail "a block device: $out"

# the bounding set lacks the dangerous capabilities; no_new_privs; seccomp filter mode
status=$(z cat /proc/self/status)
bnd=$((16#$(awk '/^CapBnd/ {print $2}' <<<"$status")))
for cap in 21 16 25 17 19 12 32 33; do # SYS_ADMIN SYS_MODULE SYS_TIME SYS_RAWIO SYS_PTRACE NET_ADMIN MAC_OVERRIDE MAC_ADMIN
	[ $((bnd >> cap & 1)) -eq 0 ] || fail "capability $cap is in the bounding set"
done
grep -q '^NoNewPrivs:[[:space:]]*1' <<<"$status" || fail "no_new_privs is not set"
grep -q '^Seccomp:[[:space:]]*2' <<<"$status" || fail "no seccomp filter"

# seccomp: every refused call fails with EPERM (the probe changes nothing even if allowed)
probe=$(z /probe)
[ "$(wc -l <<<"$probe")" -eq 16 ] || fail "probe output: $probe"
bad=$(grep -v ' EPERM$' <<<"$probe") && fail "not refused with EPERM: $bad"

# the host's name and clock stay the host's
host_name=$(hostname)
[ "$(z hostname)" = isohost ] || fail "zone hostname"
z hostname renamed 2>/dev/null && fail "the zone set a host name"
[ "$(hostname)" = "$host_name" ] || fail "the zone renamed the host"
# (busybox reports the refusal but exits 0; the host's year shows the clock unchanged)
out=$(z date -s 2001-01-01 2>&1 >/dev/null)
[[ "$out" == *"Operation not permitted"* ]] || fail "setting the clock: $out"
[ "$(date +%Y)" != 2001 ] || fail "the clock was set"

echo "zone_isolation: ok"
