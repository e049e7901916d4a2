// SPDX-License-Identifier: MIT
/*
 * id.c - random identifiers: 64-bit values (pool and dataset guids, which must never be 0) and
 * version 4 UUIDs, the form vmadm and imgadm use to name VMs and images.
 */
#include <basalt/base.h>

#include <sys/random.h>

static void random_bytes(void *buf, size_t n)
{
	char *p = buf;

	while (n > 0) {
		ssize_t k = getrandom(p, n, 0);

		if (k < 0 && errno == EINTR)
			continue;
		VERIFY(k > 0);
		p += k;
		n -= k;
	}
}

uint64_t bs_random_u64(void)
{
	uint64_t v;

	do
		random_bytes(&v, sizeof(v));
	while (v == 0);
	return v;
}

void bs_uuid_generate(char out[BS_UUID_STR])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t b[16];
	char *p = out;

	random_bytes(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4: random */
	b[8] = (b[8] & 0x3f) | 0x80; /* variant 1: RFC 4122 */
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[b[i] >> 4];
		*p++ = hex[b[i] & 0xf];
	}
	*p = '\0';
}

bool bs_uuid_valid(const char *s)
{
	for (int i = 0; i < BS_UUID_STR - 1; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			     (c >= 'A' && c <= 'F'))) {
			return false;
		}
	}
	return s[BS_UUID_STR - 1] == '\0';
}
