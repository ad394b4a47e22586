/* SPDX-License-Identifier: MIT */
/*
 * udrv_sim_pl031.h - a simulated ARM PrimeCell PL031 real time clock, for
 * host tests of drivers/pl031 (and of any PL031 driver on libudrv).
 *
 * The model follows the PL031 TRM (ARM DDI 0224) and QEMU's model
 * (hw/rtc/pl031.c), which the guest tests run against: a 32-bit seconds
 * counter that moves with real time (udrv_now_ns()), loaded through RTCLR,
 * a match register RTCMR whose match sets RTCRIS bit 0, and the level line
 * RTCINTR = RTCRIS & RTCIMSC until RTCICR clears it. Where QEMU differs
 * from the hardware, the model is the hardware: its counter ticks on whole
 * seconds of its own 1 Hz clock (an alarm N seconds ahead fires between
 * N - 1 and N seconds later; QEMU fires exactly N seconds later), and
 * RTCCR's start bit can be clear (QEMU reads it as 1 always).
 *
 * Its identity is the PL031 of QEMU's virt board as dts/virt.dtso hands it
 * to the udrv_uio stub: DT node /pl031@9010000 ("compatible" "udrv,uio",
 * "udrv,compatible" "arm,pl031"), UIO name "pl031" (the node's name), one
 * 4 KiB register region at 0x9010000 (UIO map "reg0"), one interrupt, no
 * DMA pool.
 *
 * Errors as in udrv_sim.h: 0 on success, a negative errno on failure; a NULL
 * device, or one that is not a PL031 model, is a programming error (assert).
 */
#ifndef UDRV_SIM_PL031_H
#define UDRV_SIM_PL031_H

#include <stdbool.h>
#include <stdint.h>

#include "udrv_sim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UDRV_SIM_PL031_NAME	"pl031"
#define UDRV_SIM_PL031_DT_PATH	"/pl031@9010000"
#define UDRV_SIM_PL031_ADDR	0x9010000u

/**
 * struct udrv_sim_pl031_config - what a test may choose of the device.
 * All zero (or a NULL config) is QEMU's PL031.
 * @time:      the counter at creation; 0: the host's time(), as QEMU
 *             starts its PL031
 * @stopped:   RTCCR's start bit clear, as after a reset nobody followed
 *             (TRM 3.3.4): the counter holds @time until a driver writes 1
 *             to RTCCR. QEMU's model is always started.
 * @periph_id: RTCPeriphID0-3 (TRM 3.3.9), bits [7:0] of each from the low
 *             byte up; 0: 0x00141031, QEMU's (part 0x031, designer 0x41,
 *             revision 1). Another value makes a device that is not a
 *             PL031, e.g. 0x00041030 (part 0x030).
 */
struct udrv_sim_pl031_config {
	uint32_t time;
	bool stopped;
	uint32_t periph_id;
};

/**
 * udrv_sim_pl031_add() - create the simulated PL031 (@cfg may be NULL: the
 * defaults) and attach its model; *@out owns it until
 * udrv_sim_device_free(), which also frees the model. A driver then finds
 * it as on the virt board (udrv_pl031_open(NULL, ...)).
 * Returns 0; -EINVAL @out NULL; -EEXIST a device with its UIO name or DT
 * path exists (one PL031 at a time); -ENOMEM; another -errno of udrv_sim_device_add().
 * *@out is untouched on failure.
 */
UDRV_API int udrv_sim_pl031_add(const struct udrv_sim_pl031_config *cfg,
				struct udrv_sim_device **out);

/**
 * udrv_sim_pl031_match() - make the match happen now, whatever RTCMR and
 * the counter hold: RTCRIS bit 0 is set and the line asserted if RTCIMSC
 * lets it out. A real PL031 does this when the counter passes a match
 * value the driver no longer waits for (an RTCMR written before, a load
 * onto it); a driver must tell such a match from its alarm. Done in the
 * simulation's timer thread, under its lock, before this returns: do not
 * call it from a hook or a timer callback, nor while another thread removes
 * the device. Returns 0; -ENODEV the device was removed; -ENOMEM.
 */
UDRV_API int udrv_sim_pl031_match(struct udrv_sim_device *dev);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_SIM_PL031_H */
