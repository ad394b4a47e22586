// SPDX-License-Identifier: MIT
/*
 * test_bind_pool - on virt-stock (QEMU's DTB, no overlay), `udrv bind --pool`
 * hands a DT device the shipped overlays never hand over, virtio-rng's slot
 * at 0xa003a00 (held by the kernel's virtio_mmio), to the stub with a DMA
 * pool asked for at run time; drivers/virtio-rng finds it by compatible and
 * type and reads random bytes through virtqueues in that pool (issue 17).
 * `udrv unbind` gives it back to virtio_mmio.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kuio_common.h"
#include "udrv.h"
#include "virtio_rng.h"

#define RNG_DT	"/virtio_mmio@a003a00"

static void test_bind_pool_dma(void **state)
{
	struct udrv_virtio_rng *rng = NULL;
	struct udrv_device *dev = NULL;
	unsigned char buf[64] = { 0 }, zero[64] = { 0 };

	(void)state;
	assert_int_equal(sh("udrv bind --pool 65536 %s", RNG_DT), 1);	/* virtio_mmio has it */
	assert_non_null(strstr(sh_out, "--force"));
	assert_int_equal(sh("udrv bind --force --pool 65536 %s", RNG_DT), 0);
	assert_non_null(strstr(sh_out, "DMA pool 65536 bytes"));
	assert_int_equal(sh("udrv info %s", RNG_DT), 0);
	assert_non_null(strstr(sh_out, "DMA pool 65536 bytes"));
	assert_int_equal(sh("udrv bind --pool 4096 %s", RNG_DT), 1);	/* already, another size */
	assert_non_null(strstr(sh_out, "udrv unbind"));
	assert_int_equal(udrv_device_open_dt_path(RNG_DT, &dev), 0);
	assert_int_equal(udrv_device_dma_pool_size(dev), 65536);
	udrv_device_close(dev);

	assert_int_equal(udrv_virtio_rng_open(NULL, false, &rng), 0);	/* by compatible + type */
	assert_int_equal(udrv_virtio_rng_read(rng, buf, sizeof(buf)), sizeof(buf));
	assert_memory_not_equal(buf, zero, sizeof(buf));
	udrv_virtio_rng_close(rng);
	rng = NULL;
	assert_int_equal(udrv_virtio_rng_open(RNG_DT, true, &rng), 0);	/* by DT path, polled */
	assert_int_equal(udrv_virtio_rng_read(rng, buf, sizeof(buf)), sizeof(buf));
	udrv_virtio_rng_close(rng);
	assert_int_equal(sh("udrv-rng -x 32"), 0);

	assert_int_equal(sh("udrv unbind %s", RNG_DT), 0);
	assert_non_null(strstr(sh_out, "now bound to virtio-mmio"));
	assert_int_equal(sh("echo -%s >/sys/bus/platform/drivers/udrv_uio/pool",
			    "a003a00.virtio_mmio"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_pool_dma),
	};

	return cmocka_run_group_tests_name("bind_pool", tests, NULL, NULL);
}
