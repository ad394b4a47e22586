#!/bin/sh
# SPDX-License-Identifier: MIT
# ublk-fio BOARD [SECONDS] - Debian's fio on the userspace virtio-blk driver's
# disk served as /dev/ublkbN (`udrv-blk ublk -Q 32`, interrupts; `udrv-blk -p
# ublk -Q 32`, polled) against fio on the kernel's virtio_blk (/dev/vda, a
# disk of the same kind), the same job for each: O_DIRECT through io_uring,
# 4 KiB random reads at depth 1 and 32 (IOPS), 1 MiB sequential reads at
# depth 1 (MiB/s), SECONDS (default 2) per job, in 2 rounds that alternate the
# sides. One JSON object per line: one per test and side (summed over the
# rounds, with how busy the guest's CPUs were), then one per test with the
# ratios ublk/kernel. Where the board has
# no fio or the kernel no ublk, it prints nothing.
: "${1:?usage: ublk-fio BOARD [SECONDS]}"
secs=${2:-2}
[ -x /usr/bin/fio ] && [ -e /dev/ublk-control ] && [ -b /dev/vda ] || exit 0
tests="randread-4k-qd1:randread:4k:1 randread-4k-qd32:randread:4k:32 read-1m-qd1:read:1m:1"
sides="kernel-vda udrv-ublk-irq udrv-ublk-poll"
out=/tmp/ublk-fio.$$
mkdir -p $out
trap 'rm -rf $out; [ -n "$srv" ] && kill $srv 2>/dev/null' EXIT

# server_start [-p]: udrv-blk serving disk 0; sets $srv and $dev.
server_start() {
	udrv-blk "$@" ublk -Q 32 >$out/srv 2>$out/srv.err &
	srv=$!
	dev=
	for i in $(seq 100); do
		dev=$(head -n1 $out/srv 2>/dev/null)
		[ -b "$dev" ] && return 0
		usleep 100000
	done
	echo "ublk-fio: udrv-blk ublk did not start: $(cat $out/srv.err)" >&2
	exit 1
}

# The guest's CPU time so far, in ticks: all, and idle + iowait.
cpu_times() {
	awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6 }' /proc/stat
}

server_stop() {
	kill $srv && wait $srv || { echo "ublk-fio: udrv-blk ublk did not stop cleanly" >&2; exit 1; }
	srv=
}

for round in 1 2; do
	for side in $sides; do
		case $side in
		kernel-vda) dev=/dev/vda ;;
		udrv-ublk-irq) server_start ;;
		udrv-ublk-poll) server_start -p ;;
		esac
		for t in $tests; do
			IFS=: read name rw bs qd <<EOF
$t
EOF
			# terse v3: 5 error, 6 read KiB, 8 read IOPS, 9 read runtime (ms);
			# then the guest's CPU time meanwhile (/proc/stat: all, idle + iowait)
			cpu0=$(cpu_times)
			fio --name=b --filename=$dev --readonly --direct=1 --ioengine=io_uring \
				--iodepth=$qd --rw=$rw --bs=$bs --runtime=$secs --time_based \
				--output-format=terse --terse-version=3 >$out/fio 2>&1 &&
				awk -F';' -v c0="$cpu0" -v c1="$(cpu_times)" '$5 == 0 {
					split(c0, a, " "); split(c1, b, " ")
					print $6, $8, $9, b[1] - a[1], b[2] - a[2] }' $out/fio >>$out/$name.$side ||
				{ echo "ublk-fio: fio on $dev ($name) failed: $(tail -n1 $out/fio)" >&2; exit 1; }
		done
		[ "$side" = kernel-vda ] || server_stop
	done
done

for t in $tests; do
	name=${t%%:*}
	metric=iops
	case $name in read-1m-*) metric=mib_s ;; esac
	for side in $sides; do
		# rounds summed: KiB, IOs (IOPS x ms / 1000), ms
		awk -v test=$name -v side=$side '
			{ kib += $1; ios += $2 * $3 / 1000; ms += $3; all += $4; idle += $5 }
			END { printf "{\"bench\": \"ublk-fio\", \"test\": \"%s\", " \
				"\"driver\": \"%s\", \"seconds\": %.3f, \"iops\": %.1f, \"mib_s\": %.2f, " \
				"\"guest_cpu_busy_pct\": %.1f}\n", test, side, ms / 1000, ios * 1000 / ms,
				kib / 1024 * 1000 / ms, all ? 100 * (all - idle) / all : 0 }' \
			$out/$name.$side
	done | tee $out/$name.json
	awk -v test=$name -v metric=$metric '
		{ match($0, "\"" metric "\": [0-9.]+"); v[NR] = substr($0, RSTART + length(metric) + 4, RLENGTH - length(metric) - 4) }
		END { printf "{\"bench\": \"ublk-fio\", \"test\": \"%s\", \"metric\": \"%s\", " \
			"\"kernel-vda\": %.2f, \"udrv-ublk-irq\": %.2f, \"udrv-ublk-poll\": %.2f, " \
			"\"ratio_ublk_irq_vs_kernel\": %.3f, \"ratio_ublk_poll_vs_kernel\": %.3f}\n",
			test, metric, v[1], v[2], v[3], (v[1] > 0 ? v[2] / v[1] : 0), (v[1] > 0 ? v[3] / v[1] : 0) }' \
		$out/$name.json
done
