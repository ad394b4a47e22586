#!/bin/bash
# The debian board's command (issue 25), run by udrv-harness.service on a
# Debian bookworm system with systemd and udev (qemu/run debian_rootfs):
# udrv installed the way users install it. Each check is one cmocka-style
# line of the suite debian_packages, framed by run-tests' markers, so the
# harness counts them as it counts a guest suite:
#   install     apt installs every udrv package from the local repository
#   dkms        DKMS built and installed udrv_uio for the running kernel
#   modalias    udev loaded it by modalias; /etc/modules-load.d loads it too
#   udev        /dev/uio* of the stub's devices: group udrv, mode 0660
#   sysusers    systemd-sysusers created the group udrv
#   service     a shipped driver as a systemd service, unprivileged, its
#               output in the journal
#   man         every shipped man page renders without a warning
#   purge       apt purge leaves no file, module or DKMS tree behind
# then the guest suites, installed by udrv-tests, through run-tests.
# UDRV_DEBIAN_FULL=1 also builds for a second kernel (6.12's headers).
set -u
log=/tmp/check.log

ok() { echo "[       OK ] $1"; }
fail() {
	echo "[  FAILED  ] $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@"
	[ -s $log ] && tail -20 $log
	failed=$((failed + 1))
}
# check NAME CMD...: OK if CMD succeeds (its output in $log)
check() {
	local name=$1
	shift
	if "$@" >$log 2>&1; then ok "$name"; else fail "$name"; fi
}

disk_with_serial() {
	local b
	for b in /sys/block/vd*; do
		[ "$(cat "$b/serial" 2>/dev/null)" = "$1" ] && { echo "/dev/${b##*/}"; return 0; }
	done
	return 1
}

suite_begin() {
	suite=$1 failed=0
	dmesg -c >/dev/null
	echo "@@UDRV-SUITE-BEGIN $suite"
}
# the kernel log must be clean, as run-tests requires of every suite
suite_end() {
	local bad
	bad=$(dmesg | grep -E 'Oops|BUG|WARNING|Call trace|refcount_t|list_(add|del) corruption')
	if [ -n "$bad" ]; then
		echo "$bad"
		echo "@@UDRV-DMESG $suite bad"
		failed=$((failed + 1))
	else
		echo "@@UDRV-DMESG $suite clean"
	fi
	echo "@@UDRV-SUITE-END $suite $failed"
	status=$((status + failed))
}
status=0
kver=$(uname -r)
suite_begin debian_packages

# --- the local repository -----------------------------------------------------
repo=/srv/udrv-repo
mkdir -p $repo
dev=$(disk_with_serial udrv-repo) && mount -o ro "$dev" $repo
echo "deb [trusted=yes] file:$repo ./" >/etc/apt/sources.list.d/udrv.list
# the udrv packages the repository holds (not the kernel headers beside them)
pkgs=$(sed -n 's/^Package: //p' $repo/Packages 2>/dev/null | grep -v '^linux-' | sort -u | tr '\n' ' ')

install() {
	[ -n "$pkgs" ] || { echo "no udrv package in $repo"; return 1; }
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pkgs
}
check install install

# --- DKMS ----------------------------------------------------------------------
dkms_built() {
	dkms status udrv | grep -F "$kver" | grep -q installed &&
		modinfo -k "$kver" -n udrv_uio | grep -q /updates/
}
check dkms dkms_built

# --- loading: udev by modalias, then the README's modules-load.d way -------------
by_modalias() {
	modprobe -r udrv_uio 2>/dev/null
	udevadm trigger --action=add --subsystem-match=platform --subsystem-match=pci &&
		udevadm settle -t 30 && grep -q '^udrv_uio ' /proc/modules
}
check modalias by_modalias

modules_load() {
	modprobe -r udrv_uio || return 1
	[ -f /etc/modules-load.d/udrv_uio.conf ] || { echo "no /etc/modules-load.d/udrv_uio.conf"; return 1; }
	systemctl restart systemd-modules-load && grep -q '^udrv_uio ' /proc/modules &&
		udevadm settle -t 30
}
check modules_load modules_load

# --- udev and sysusers ------------------------------------------------------------
uio_owned() {
	local n=0 d
	for d in /sys/bus/platform/drivers/udrv_uio/*/uio/uio*; do
		[ -e "$d" ] || continue
		n=$((n + 1))
		stat -c '%n %G %a' "/dev/${d##*/}"
		[ "$(stat -c '%G %a' "/dev/${d##*/}")" = "udrv 660" ] || return 1
	done
	[ $n -gt 0 ] || { echo "no /dev/uio* of udrv_uio"; return 1; }
}
check udev uio_owned
check sysusers sh -c 'getent group udrv && dpkg -S /usr/lib/sysusers.d/udrv.conf'

# --- a driver as a service ------------------------------------------------------------
. /root/service-check.sh 2>/dev/null || service_check() { echo "no service check"; return 1; }
check service service_check

# --- man pages ------------------------------------------------------------------------
man_pages() {
	local f n=0 out
	for f in $(dpkg -L $pkgs 2>/dev/null | grep '^/usr/share/man/.*\.gz$'); do
		n=$((n + 1))
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null) || return 1
		[ -z "$out" ] || { echo "$f: $out"; return 1; }
	done
	echo "$n pages"
	[ $n -gt 0 ] && man -P cat udrv | grep -q -- --help && man -P cat 3 libudrv | grep -q udrv_device_open
}
check man man_pages

# --- a second kernel (UDRV_DEBIAN_FULL=1) ----------------------------------------------
if [ -n "${UDRV_DEBIAN_FULL:-}" ]; then
	second_kernel() {
		local h
		h=$(sed -n 's/^Package: \(linux-headers-.*-arm64\)$/\1/p' $repo/Packages | grep -v "$kver" | head -1)
		[ -n "$h" ] || { echo "no second kernel's headers in $repo"; return 1; }
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$h" &&
			dkms status udrv | grep -F "${h#linux-headers-}" | grep -q installed
	}
	check second_kernel second_kernel
fi

suite_end

# --- the guest suites, from the udrv-tests package ------------------------------------
if [ -x /usr/libexec/udrv/tests/guest_harness ]; then
	sh /root/run-tests debian || status=$((status + 1))
fi

# --- purge ------------------------------------------------------------------------------
suite_begin debian_purge
purge_clean() {
	modprobe -r udrv_uio
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $pkgs || return 1
	local left
	left=$(dpkg -l | awk '$1 != "un" && $2 ~ /udrv/')
	[ -z "$left" ] || { echo "still known to dpkg: $left"; return 1; }
	left=$(find / -xdev \( -path /proc -o -path /sys -o -path /srv -o -path /root -o -path /udrv \
		-o -path /tmp \) -prune -o \( -name '*udrv*' -o -name 'libudrv*' \) -print)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
	[ ! -d /var/lib/dkms/udrv ]
}
check purge purge_clean
suite_end
[ $status = 0 ]
