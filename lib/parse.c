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

UDRV_API int udrv_pci_address_parse(const char *s, char *out, size_t len)
{
	unsigned int dom = 0, bus, slot, fn;
	int n = -1;

	if (!s || !out)
		return -EINVAL;
	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &slot, &fn, &n) == 4 && n == 12 &&
	    !s[n] && s[4] == ':' && s[7] == ':' && s[10] == '.')
		;
	else if (dom = 0, n = -1, sscanf(s, "%2x:%2x.%1x%n", &bus, &slot, &fn, &n) == 3 &&
		 n == 7 && !s[n] && s[2] == ':' && s[5] == '.')
		;
	else
		return -EINVAL;
	if (slot > 0x1f || fn > 7 || !isxdigit((unsigned char)s[0]) ||
	    snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, slot, fn) >= (int)len)
		return -EINVAL;
	return 0;
}
