// SPDX-License-Identifier: MIT
/*
 * termios_cfg.c - termios line settings <-> the Cadence UART's (see
 * termios_cfg.h).
 */
#include <asm/termbits.h>

#include "termios_cfg.h"

static const struct {
	unsigned int code;
	uint32_t baud;
} speeds[] = {
	{ B50, 50 }, { B75, 75 }, { B110, 110 }, { B134, 134 }, { B150, 150 },
	{ B200, 200 }, { B300, 300 }, { B600, 600 }, { B1200, 1200 },
	{ B1800, 1800 }, { B2400, 2400 }, { B4800, 4800 }, { B9600, 9600 },
	{ B19200, 19200 }, { B38400, 38400 }, { B57600, 57600 },
	{ B115200, 115200 }, { B230400, 230400 }, { B460800, 460800 },
	{ B500000, 500000 }, { B576000, 576000 }, { B921600, 921600 },
	{ B1000000, 1000000 }, { B1152000, 1152000 }, { B1500000, 1500000 },
	{ B2000000, 2000000 }, { B2500000, 2500000 }, { B3000000, 3000000 },
	{ B3500000, 3500000 }, { B4000000, 4000000 },
};

#define NSPEEDS (sizeof(speeds) / sizeof(speeds[0]))

uint32_t cdns_uart_speed_baud(unsigned int code)
{
	for (unsigned int i = 0; i < NSPEEDS; i++)
		if (speeds[i].code == code)
			return speeds[i].baud;
	return 0;
}

unsigned int cdns_uart_baud_speed(uint32_t baud)
{
	for (unsigned int i = 0; i < NSPEEDS; i++)
		if (speeds[i].baud == baud)
			return speeds[i].code;
	return B0;
}

unsigned int cdns_uart_baud_code(uint32_t baud)
{
	uint32_t close = baud / 50;

	for (unsigned int i = 0; i < NSPEEDS; i++)
		if (speeds[i].baud + close >= baud && speeds[i].baud <= baud + close)
			return speeds[i].code;
	return BOTHER;
}

unsigned int cdns_uart_cflag_config(unsigned int cflag, struct udrv_cdns_uart_config *cfg)
{
	switch (cflag & CSIZE) {
	case CS6: cfg->data_bits = 6; break;
	case CS7: cfg->data_bits = 7; break;
	default:	/* CS5: xuartps' default case, 8 bits and CS8 reported */
		cfg->data_bits = 8;
		cflag = (cflag & ~(unsigned int)CSIZE) | CS8;
		break;
	}
	if (!(cflag & PARENB))
		cfg->parity = 'N';
	else if (cflag & CMSPAR)
		cfg->parity = cflag & PARODD ? 'M' : 'S';
	else
		cfg->parity = cflag & PARODD ? 'O' : 'E';
	cfg->stop_bits = cflag & CSTOPB ? 2 : 1;
	return cflag & ~(unsigned int)CRTSCTS;
}

unsigned int cdns_uart_config_cflag(const struct udrv_cdns_uart_config *cfg)
{
	unsigned int c = cfg->data_bits == 6 ? CS6 : cfg->data_bits == 7 ? CS7 : CS8;

	switch (cfg->parity) {
	case 'E': case 'e': c |= PARENB; break;
	case 'O': case 'o': c |= PARENB | PARODD; break;
	case 'S': case 's': c |= PARENB | CMSPAR; break;
	case 'M': case 'm': c |= PARENB | CMSPAR | PARODD; break;
	}
	return c | (cfg->stop_bits == 2 ? CSTOPB : 0);
}
