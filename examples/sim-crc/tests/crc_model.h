/* SPDX-License-Identifier: MIT */
/* crc_model.h - a model of "acme,crc32-1.0" for libudrv-sim (crc_model.c). */
#ifndef CRC_MODEL_H
#define CRC_MODEL_H

#include <udrv_sim.h>

/* Add the engine as the board's device tree would describe it, with its
 * model attached. 0 or -errno from udrv_sim_device_add(). */
int crc_model_add(struct udrv_sim_device **out);

/* Make the next transfer fail as a DMA read error would (STATUS.ERR). */
void crc_model_fail_next(struct udrv_sim_device *dev);

/* Transfers complete this long after START (default 1 ms); UINT64_MAX: never
 * (until crc_model_complete()). */
void crc_model_set_latency(struct udrv_sim_device *dev, uint64_t ns);

/* Complete the transfer in progress now (a late completion). */
void crc_model_complete(struct udrv_sim_device *dev);

#endif
