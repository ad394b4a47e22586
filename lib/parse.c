/* SPDX-License-Identifier: MIT */
/* parse.c - the numbers and PCI addresses sysfs and the tools write. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Not strtoull(s, &end, 0), which reads "010" as 8. */
UDRV_API int udrv_parse_u64(const char *s, uint64_t *val, char **end)
{
	unsigned long long v;
	int base = 10;
	char *e;

	assert(s && val);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)s[0]) || s[1] == 'x' || s[1] == 'X')
			return -EINVAL;
	} else if (!isdigit((unsigned char)s[0])) {
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &e, base);
	if (errno || (!end && *e))
		return -EINVAL;
	if (end)
		*end = e;
	*val = v;
	return 0;
}

/* @n hex digits at @s? */
static bool hex_at(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

UDRV_API int udrv_pci_address_parse(const char *s, char *out, size_t len)
{
	unsigned int dom = 0, bus, slot, fn;
	const char *b;

	if (!s || !out)
		return -EINVAL;
	/* every digit checked first: sscanf's %x alone takes signs and "0x" */
	if (strlen(s) == 12 && hex_at(s, 4) && s[4] == ':')
		b = s + 5;
	else if (strlen(s) == 7)
		b = s;
	else
		return -EINVAL;
	if (!hex_at(b, 2) || b[2] != ':' || !hex_at(b + 3, 2) || b[5] != '.' || !hex_at(b + 6, 1) ||
	    (b != s && sscanf(s, "%4x", &dom) != 1) ||
	    sscanf(b, "%2x:%2x.%1x", &bus, &slot, &fn) != 3 || slot > 0x1f || fn > 7 ||
	    snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, slot, fn) >= (int)len)
		return -EINVAL;
	return 0;
}
