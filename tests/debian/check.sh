#!/bin/bash
# The debian board's command (issue 25), run by udrv-harness.service on a
# Debian bookworm system with systemd and udev (qemu/run debian_rootfs):
# udrv installed the way users install it. Each check is one cmocka-style
# line of the suite debian_packages, framed by run-tests' markers, so the
# harness counts them as it counts a guest suite:
#   install     apt installs every udrv package from the local repository
#   dkms        DKMS built and installed udrv_uio for the running kernel
#   modalias    udev loaded it by modalias
#   modules_load  /etc/modules-load.d and modprobe.d load it, as the README says
#   udev        /dev/uio* of the stub's devices: group udrv, mode 0660
#   sysusers    systemd-sysusers created the group udrv
#   service     a shipped driver as a systemd service, unprivileged, its
#               output in the journal
#   man         every shipped man page renders without a warning
#   purge       apt purge leaves no file, module or DKMS tree behind
# With the argument 'full' (the board debian-full), also, before the purge:
#   dkms_next_kernel  DKMS builds and installs it for a second kernel (6.12)
#               once its headers are installed
#   example     an out-of-tree driver (examples/) builds against libudrv-dev
#               with pkg-config; the tool suite runs it
#   and the guest suites installed by udrv-tests, through run-tests.
# Each check's seconds come before its line (@@UDRV-TOOK NAME S), for the
# harness to report.
set -u
full=${1:-}
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
	local name=$1 t=$SECONDS st
	shift
	"$@" >$log 2>&1
	st=$?
	echo "@@UDRV-TOOK $name $((SECONDS - t))"
	if [ $st = 0 ]; then ok "$name"; else fail "$name"; fi
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
# the kernel log must be clean, as run-tests requires of every suite (the
# same pattern as qemu/guest/usr/libexec/udrv/run-tests)
suite_end() {
	local bad
	bad=$(dmesg | grep -E 'Oops|BUG|WARNING|Call trace|refcount_t|list_(add|del) corruption|general protection')
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
# udrv's packages in the repository (beside them: what they depend on)
pkgs=$(sed -n 's/^Package: //p' $repo/Packages 2>/dev/null | grep -E '^(lib)?udrv' | sort -u | tr '\n' ' ')

install() {
	[ -n "$pkgs" ] || { echo "no udrv package in $repo"; return 1; }
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pkgs
}
check install install

# --- DKMS ----------------------------------------------------------------------
dkms_built() {
	local st
	st=$(dkms status udrv)
	echo "$st"
	grep -F "$kver" <<<"$st" | grep -q installed &&
		modinfo -k "$kver" -n udrv_uio | grep -q /updates/
}
check dkms dkms_built

# A second kernel: installing its headers must make DKMS build and install
# the stub for it too (dkms's header_postinst.d hook), as when a user's
# next kernel arrives. The repository has 6.12's headers, and a package that
# stands in for the image they depend on (qemu/run debian_extra_debs).
dkms_next() {
	local k ko v
	k=$(sed -n 's/^Package: linux-headers-\(.*-arm64\)$/\1/p' $repo/Packages | grep -vF "$kver" | head -1)
	[ -n "$k" ] || { echo "no second kernel's headers in $repo"; return 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "linux-headers-$k" || return 1
	dkms status udrv
	dkms status udrv -k "$k" | grep -q installed || return 1
	ko=$(modinfo -k "$k" -n udrv_uio) && v=$(modinfo -F vermagic "$ko") || return 1
	echo "$ko: $v"
	case $ko in /lib/modules/"$k"/updates/*) ;; *) return 1 ;; esac
	case $v in "$k "*) ;; *) return 1 ;; esac
}
[ -z "$full" ] || check dkms_next_kernel dkms_next

# --- loading: udev by modalias, then the README's modules-load.d way -------------
by_modalias() {
	modprobe -r udrv_uio 2>/dev/null
	udevadm trigger --action=add --subsystem-match=platform --subsystem-match=pci &&
		udevadm settle -t 30 && grep -q '^udrv_uio ' /proc/modules
}
check modalias by_modalias

# as the README says: examples/modules-load.d and examples/modprobe.d
# (handed to the guest in /root) copied into /etc; the stub then also binds
# edu (ids=1234:11e8:65536), which the modalias load above did not
modules_load() {
	modprobe -r udrv_uio || return 1
	cp /root/modules-load.conf /etc/modules-load.d/udrv_uio.conf &&
		cp /root/modprobe.conf /etc/modprobe.d/udrv_uio.conf || return 1
	systemctl restart systemd-modules-load && grep -q '^udrv_uio ' /proc/modules &&
		udevadm settle -t 30 && ls /sys/bus/pci/drivers/udrv_uio/ | grep -q '^0000:'
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
# udrv-driver@.service (shipped by udrv-tools) runs udrv-pl031's alarm as
# /etc/udrv/alarm.conf says: it must succeed under a user of its own (not
# root), its output in the journal, and be refused a device it was not
# allowed (/dev/mem) even though it can see it.
service_check() {
	local unit=udrv-driver@alarm st i uid
	mkdir -p /etc/udrv
	printf 'UDRV_DRIVER=udrv-pl031\nUDRV_ARGS=alarm 2\n' >/etc/udrv/alarm.conf
	systemctl start $unit || return 1
	for i in $(seq 60); do
		st=$(systemctl show -p ActiveState --value $unit)
		[ "$st" = inactive ] || [ "$st" = failed ] && break
		sleep 0.5
	done
	systemctl show -p ActiveState -p Result -p ExecMainStatus $unit
	[ "$(systemctl show -p Result --value $unit)" = success ] || return 1
	journalctl -u $unit -o cat --no-pager | tee /dev/stderr | grep -q 'alarm fired after' || return 1
	uid=$(journalctl -u $unit -o verbose --no-pager _COMM=udrv-pl031 | sed -n 's/^ *_UID=//p' | head -1)
	echo "ran as uid $uid"
	[ -n "$uid" ] && [ "$uid" != 0 ] || return 1
	# the same unit with a command that needs a node outside DeviceAllow=
	printf 'UDRV_DRIVER=dd\nUDRV_ARGS=if=/dev/mem of=/dev/null count=1\n' >/etc/udrv/mem.conf
	systemctl start udrv-driver@mem
	sleep 2
	journalctl -u udrv-driver@mem -o cat --no-pager | tee /dev/stderr | grep -q 'Operation not permitted\|Permission denied'
}
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

# --- an out-of-tree driver against libudrv-dev -----------------------------------------
# examples/Makefile as the README tells a driver writer to use it: pkg-config
# finds udrv.pc, the example links against the installed libudrv.so (the
# root filesystem has gcc, libc's headers and pkg-config, as a board a
# driver is written on has).
example() {
	make -C /root/example PREFIX=/usr install && ldd /usr/bin/pl031-alarm | tee /dev/stderr |
		grep -Eq 'libudrv\.so\.0 => (/usr)?/lib/'	# (usrmerge: /lib is /usr/lib)
}
[ -z "$full" ] || check example example

suite_end

# --- the guest suites, from the udrv-tests package (full) -----------------------------
# The stub suites load and unload the stub from the harness's path: here
# that is the module DKMS built, and it is loaded as modprobe.d says. (They
# load it with finit_module(), flags 0: an uncompressed .ko, as DKMS builds
# for this kernel, whose own modules are uncompressed.)
if [ -n "$full" ]; then
	mkdir -p /lib/modules/udrv
	if ko=$(modinfo -n udrv_uio); then
		ln -sf "$ko" /lib/modules/udrv/udrv_uio.ko
	else
		echo "check.sh: no DKMS-built udrv_uio for $kver: the stub suites will fail"
	fi
	modprobe udrv_uio
	if [ -x /usr/libexec/udrv/run-tests ]; then
		/usr/libexec/udrv/run-tests debian || status=$((status + 1))
	fi
fi

# --- purge ------------------------------------------------------------------------------
suite_begin debian_purge
purge_clean() {
	modprobe -r udrv_uio
	# what this script wrote as the administrator goes first: the
	# packages must remove the rest
	rm -rf /etc/udrv /etc/modules-load.d/udrv_uio.conf /etc/modprobe.d/udrv_uio.conf \
		/lib/modules/udrv /usr/bin/pl031-alarm
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $pkgs || return 1
	local left
	left=$(dpkg -l | awk '$1 != "un" && $2 ~ /udrv/')
	[ -z "$left" ] || { echo "still known to dpkg: $left"; return 1; }
	# (not: the harness's own files, the local repository's apt lists, and
	# the pages man formatted into its cache, which man-db's cron job ages out)
	left=$(find / -xdev \( -path /proc -o -path /sys -o -path /srv -o -path /root -o -path /udrv \
		-o -path /tmp -o -path /var/lib/apt/lists -o -path /etc/apt/sources.list.d \
		-o -name 'udrv-harness.service' -o -path /var/cache/man \) -prune -o \( -name '*udrv*' -o -name 'libudrv*' \) -print)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
	[ ! -d /var/lib/dkms/udrv ]
}
check purge purge_clean
suite_end
[ $status = 0 ]
