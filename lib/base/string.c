// SPDX-License-Identifier: MIT
/*
 * string.c - string predicates, checked copies, and the parsing and printing of numbers and
 * sizes. Sizes print the way OpenZFS's zfs_nicenum() prints them, so that `zfs list` output
 * reads the same as on SmartOS: 1024-based, at most 5 characters, exact multiples without
 * decimals ("0B", "512B", "96K", "1.50G", "12.3T", "123T").
 */
#include <basalt/base.h>

bool bs_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool bs_endswith(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

/*
 * Returns the length copied. When src does not fit, dst holds as much of it as fits (still
 * NUL-terminated, if size > 0) and -ENAMETOOLONG is returned.
 */
int bs_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (len < size) {
		memcpy(dst, src, len + 1);
		return (int)MIN(len, (size_t)INT32_MAX);
	}
	if (size > 0) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
	}
	return -ENAMETOOLONG;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parse the leading decimal digits of *s into *ret, advancing *s. */
static int parse_digits(const char **s, uint64_t *ret)
{
	const char *p = *s;
	uint64_t v = 0;

	if (!is_digit(*p))
		return -EINVAL;
	for (; is_digit(*p); p++) {
		unsigned d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*s = p;
	*ret = v;
	return 0;
}

int bs_parse_u64(const char *s, uint64_t *ret)
{
	uint64_t v;
	int r;

	r = parse_digits(&s, &v);
	if (r < 0)
		return r;
	if (*s)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* The shift of a size suffix (K = 10, ..., E = 60), or -1 if c is not one. */
static int suffix_shift(char c)
{
	static const char units[] = "BKMGTPE";
	const char *u;

	if (c >= 'a' && c <= 'z')
		c = c - 'a' + 'A';
	u = c ? strchr(units, c) : NULL;
	return u ? (int)(u - units) * 10 : -1;
}

int bs_size_parse(const char *s, uint64_t *ret)
{
	unsigned __int128 v, frac = 0, scale = 1;
	uint64_t whole;
	int shift = 0;
	int r;

	r = parse_digits(&s, &whole);
	if (r < 0)
		return r;
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return -EINVAL;
		/* digits beyond 10^-18 cannot change a 64-bit result: read and drop them */
		for (; is_digit(*s); s++) {
			if (scale < 1000000000000000000ULL) {
				frac = frac * 10 + (*s - '0');
				scale *= 10;
			}
		}
	}
	if (*s) {
		shift = suffix_shift(*s);
		if (shift < 0)
			return -EINVAL;
		s++;
		/* K, KB and KiB all mean 1024; B alone takes no further letters */
		if (shift > 0 && (*s == 'b' || *s == 'B'))
			s++;
		else if (shift > 0 && (*s == 'i' || *s == 'I') && (s[1] == 'b' || s[1] == 'B'))
			s += 2;
		if (*s)
			return -EINVAL;
	}

	if (shift == 0 && frac != 0)
		return -EINVAL; /* a fraction of a byte: "1.5" or "1.5B" */
	frac = (frac << shift) / scale;
	v = ((unsigned __int128)whole << shift) + frac;
	if (v > UINT64_MAX)
		return -ERANGE;
	*ret = (uint64_t)v;
	return 0;
}

char *bs_size_format(char *buf, uint64_t n)
{
	static const char units[] = "BKMGTPE";
	double val = (double)n;
	uint64_t div;
	int k = 0;

	/* Choose the unit by dividing as a double, as zfs_nicenum() does, so that values a hair
	 * below a power of 1024 round up into the next unit exactly as OpenZFS shows them. */
	while (val >= 1024 && k < 6) {
		val /= 1024;
		k++;
	}
	div = 1ULL << (10 * k);

	if (k == 0 || n % div == 0) {
		snprintf(buf, BS_SIZE_BUF, "%llu%c", (unsigned long long)(n / div), units[k]);
		return buf;
	}
	/* the most decimals that keep the text within 5 characters */
	for (int prec = 2; prec >= 0; prec--) {
		if (snprintf(buf, BS_SIZE_BUF, "%.*f%c", prec, (double)n / div, units[k]) <= 5)
			break;
	}
	return buf;
}
