/* SPDX-License-Identifier: MIT */
/*
 * udrv_sim_ttc.h - a model of the Cadence Triple Timer Counter ("cdns,ttc")
 * for host tests of drivers/ttc, on libudrv-sim (udrv_sim.h).
 *
 * The device is TTC0 of the ZCU102 as the udrv_uio stub hands it over in
 * QEMU (dts/zcu102.dtso on Debian's zynqmp-zcu102-rev1.0.dtb): UIO name
 * "ttc0", DT node /axi/timer@ff110000 with "compatible" "udrv,uio" and
 * "udrv,compatible" "cdns,ttc", one register region of 0x1000 bytes at
 * 0xff110000, one interrupt per counter (UIO nodes "ttc0", "ttc0.irq1",
 * "ttc0.irq2"), "clock-frequency" and "timer-width" <32> on the node.
 *
 * Each of the three counters counts in real time (udrv_now_ns()) at the
 * input clock divided by its prescaler, in interval or overflow mode, up or
 * down, and latches Iv/Ov and the match causes M1..M3 in its clear-on-read
 * Interrupt_Register; its interrupt line is the level (status & enable), as
 * in the Zynq UltraScale+ TRM (UG1085, "Triple-timer Counter") and QEMU's
 * hw/timer/cadence_ttc.c. Not modelled: the event timer (Event_Register
 * reads 0), the waveform output and an external clock source (bit C_Src is
 * stored, the input clock is always the configured one).
 *
 * Errors as in udrv.h: 0 on success, a negative errno on failure; a NULL
 * device is a programming error (assert).
 */
#ifndef UDRV_SIM_TTC_H
#define UDRV_SIM_TTC_H

#include <stdbool.h>
#include <stdint.h>

#include "udrv_sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct udrv_sim_ttc_config - what may differ from the ZCU102's TTC0.
 * @clock_hz: the counters' input clock, also the node's "clock-frequency";
 *            0: 133000000 (the rate of dts/zcu102.dtso and QEMU's model)
 * @width:    bits of the counter, interval and match registers: 32 (ZynqMP
 *            silicon, UG1087) or 16 (Zynq-7000, and QEMU's model); 0: 32
 */
struct udrv_sim_ttc_config {
	uint32_t clock_hz;
	unsigned int width;
};

/**
 * udrv_sim_ttc_add() - create the simulated TTC0 with the model attached
 * (@cfg NULL: the defaults). *@out owns it until udrv_sim_device_free(),
 * which also frees the model. All three counters start as after reset:
 * stopped (Counter_Control 0x21), every other register 0.
 * Returns 0; -EINVAL a bad @cfg (width not 0, 16 or 32) or @out NULL;
 * others from udrv_sim_device_add(), e.g. -EEXIST a "ttc0" exists.
 */
UDRV_API int udrv_sim_ttc_add(const struct udrv_sim_ttc_config *cfg,
			      struct udrv_sim_device **out);

/** struct udrv_sim_ttc_state - one counter, as the hardware holds it now. */
struct udrv_sim_ttc_state {
	bool running;		/* Counter_Control.DIS clear */
	uint32_t value;		/* Counter_Value */
	uint32_t clk_ctrl;	/* Clock_Control */
	uint32_t cnt_ctrl;	/* Counter_Control */
	uint32_t interval;	/* Interval_Counter */
	uint32_t isr;		/* Interrupt_Register: latched causes */
	uint32_t ier;		/* Interrupt_Enable */
	bool line;		/* the interrupt line: (isr & ier) != 0 */
};

/**
 * udrv_sim_ttc_state() - read counter @counter (0..2) into *@out without
 * side effects: unlike a driver's read of Interrupt_Register, the causes
 * stay latched. @dev must come from udrv_sim_ttc_add() (else a programming
 * error: assert).
 *
 * The controls run under the simulation's lock, as a udrv_sim_after()
 * callback due at once that the caller waits for: call them from the
 * test's threads, not from a hook or timer callback.
 * Returns 0; -EINVAL @counter > 2 or @out NULL; -ENODEV the device was
 * removed.
 */
UDRV_API int udrv_sim_ttc_state(struct udrv_sim_device *dev, unsigned int counter,
				struct udrv_sim_ttc_state *out);

/**
 * udrv_sim_ttc_raise() - latch the causes @bits (Interrupt_Register bits,
 * 0x01 Iv .. 0x20 Ev) of counter @counter now, as if those events had
 * happened: for the paths a real counter takes rarely or at a moment a test
 * cannot choose (a cause the driver did not program, an expiry just before
 * it reads the status). The line rises if a raised cause is enabled.
 * Returns as udrv_sim_ttc_state(); -EINVAL also for @bits 0 or outside 0x3f.
 */
UDRV_API int udrv_sim_ttc_raise(struct udrv_sim_device *dev, unsigned int counter,
				uint32_t bits);

#ifdef __cplusplus
}
#endif

#endif /* UDRV_SIM_TTC_H */
