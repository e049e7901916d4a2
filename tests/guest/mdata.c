// SPDX-License-Identifier: MIT
/*
 * mdata.c - a guest that asks the host's metadata service for a value over its second serial
 * port (COM2), the way a KVM guest's mdata-get does: it sends empty lines until the service
 * answers "invalid command" (so that it is there and the line is clean), negotiates protocol
 * version 2, sends a framed GET of customer_metadata's "greeting" and a framed PUT of
 * "from-guest", checks each answer's length, CRC-32 and request id, and prints the outcome and
 * the decoded value on the console (COM1); a GET of "long", a value longer than the UART's FIFO,
 * checks that no byte of it was lost. Then, if customer_metadata's "then" is "reboot", it
 * DELETEs that key and resets the machine (so that the next boot ends); else it ends with
 * status 0.
 */
#include "guest.h"

#define COM2 0x2f8
/* a frame of a 4 KiB value, base64-encoded, fits */
#define LINE_MAX 8192
/* how many times the line status is read before a knock is taken as unanswered, and before an
 * answer is taken as not coming */
#define KNOCK_POLLS 100000
#define ANSWER_POLLS 100000000

int guest_main(uint64_t cpu, uint64_t ncpus);

static void com2_putc(char c)
{
	while (!(inb(COM2 + 5) & 0x20))
		cpu_relax();
	outb(COM2, (uint8_t)c);
}

static void com2_puts(const char *s)
{
	while (*s)
		com2_putc(*s++);
}

/* One line (without its newline) into buf; -1 when nothing came within polls reads. */
static int com2_getline(char *buf, size_t cap, unsigned long wait)
{
	size_t n = 0;

	for (;;) {
		unsigned long polls = 0;
		char c;

		while (!(inb(COM2 + 5) & 0x01))
			if (++polls == wait)
				return -1;
		c = (char)inb(COM2);
		if (c == '\n')
			break;
		if (n < cap - 1)
			buf[n++] = c;
	}
	buf[n] = 0;
	return (int)n;
}

static size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static uint32_t crc32(const char *p, size_t n)
{
	uint32_t c = 0xffffffff;

	while (n--) {
		c ^= (uint8_t)*p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320 & (0 - (c & 1)));
	}
	return ~c;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(char *out, const char *in)
{
	size_t n = slen(in);

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(uint8_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)(uint8_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (uint8_t)in[i + 2];
		*out++ = b64[v >> 18 & 63];
		*out++ = b64[v >> 12 & 63];
		*out++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*out = 0;
	return out;
}

static int b64_value(char c)
{
	for (int i = 0; i < 64; i++)
		if (b64[i] == c)
			return i;
	return -1;
}

static void b64_decode(char *out, const char *in)
{
	uint32_t acc = 0;
	int bits = 0, v;

	for (; *in && (v = b64_value(*in)) >= 0; in++) {
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*out++ = (char)(acc >> bits & 0xff);
		}
	}
	*out = 0;
}

static char *put_hex(char *p, uint32_t v)
{
	for (int i = 7; i >= 0; i--)
		*p++ = "0123456789abcdef"[v >> (4 * i) & 15];
	*p = 0;
	return p;
}

static char *put_dec(char *p, uint32_t v)
{
	char tmp[11];
	int i = 0;

	do {
		tmp[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		*p++ = tmp[--i];
	*p = 0;
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	*p = 0;
	return p;
}

/* The next line that is not the answer to a knock (more knocks may have been answered than
 * the one that was seen). */
static int answer_line(char *buf, size_t cap)
{
	int r;

	do
		r = com2_getline(buf, cap, ANSWER_POLLS);
	while (r >= 0 && guest_memcmp(buf, "invalid command", 16) == 0);
	return r;
}

static char body[LINE_MAX], line[LINE_MAX], arg[LINE_MAX], value[LINE_MAX];

/* Send "V2 LEN CRC BODY" for body "ID COMMAND[ ARG]" and check the answer's frame: its status
 * (SUCCESS, NOTFOUND...) and payload go to status and payload. 0 when the frame is sound. */
static int request(const char *id, const char *command, const char *arg, char *status,
		   char *payload)
{
	char *p = body, *b, *f;
	uint32_t len = 0;

	p = put_str(p, id);
	p = put_str(p, " ");
	p = put_str(p, command);
	if (arg) {
		p = put_str(p, " ");
		put_str(p, arg);
	}
	p = put_str(line, "V2 ");
	p = put_dec(p, (uint32_t)slen(body));
	p = put_str(p, " ");
	p = put_hex(p, crc32(body, slen(body)));
	p = put_str(p, " ");
	p = put_str(p, body);
	put_str(p, "\n");
	com2_puts(line);
	if (answer_line(line, sizeof(line)) < 0 || line[0] != 'V' || line[1] != '2' ||
	    line[2] != ' ')
		return -1;
	for (f = line + 3; *f >= '0' && *f <= '9'; f++)
		len = len * 10 + (uint32_t)(*f - '0');
	if (*f != ' ' || slen(f + 1) < 10 || f[9] != ' ')
		return -1;
	b = f + 10;
	put_hex(body, crc32(b, slen(b)));
	if (len != slen(b) || guest_memcmp(body, f + 1, 8) != 0 || guest_memcmp(b, id, 8) != 0 ||
	    b[8] != ' ')
		return -1;
	for (b += 9; *b && *b != ' '; b++)
		*status++ = *b;
	*status = 0;
	b64_decode(payload, *b == ' ' ? b + 1 : "");
	return 0;
}

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	char status[32], *p;
	size_t n;

	guest_puts("mdata guest up\n");
	/* the service may not be there yet: knock until it answers */
	do {
		com2_puts("\n");
	} while (com2_getline(line, sizeof(line), KNOCK_POLLS) < 0 ||
		 guest_memcmp(line, "invalid command", 16));
	com2_puts("NEGOTIATE V2\n");
	if (answer_line(line, sizeof(line)) < 0 || guest_memcmp(line, "V2_OK", 6)) {
		guest_puts("mdata: no V2_OK\n");
		return 1;
	}
	b64_encode(arg, "greeting");
	if (request("0000abcd", "GET", arg, status, value) < 0) {
		guest_puts("mdata: a bad frame\n");
		return 1;
	}
	guest_puts("mdata get: ");
	guest_puts(status);
	guest_puts(" ");
	guest_puts(value);
	guest_puts("\n");
	/* PUT's argument: base64 of "base64(key) base64(value)" */
	p = b64_encode(line, "from-guest");
	p = put_str(p, " ");
	b64_encode(p, "written over COM2");
	b64_encode(arg, line);
	if (request("0000abce", "PUT", arg, status, value) < 0) {
		guest_puts("mdata: a bad frame\n");
		return 1;
	}
	guest_puts("mdata put: ");
	guest_puts(status);
	guest_puts("\n");
	/* a value longer than the UART's receive FIFO: "0123456789" over and over, none lost */
	b64_encode(arg, "long");
	if (request("0000abd1", "GET", arg, status, value) < 0) {
		guest_puts("mdata: a bad frame\n");
		return 1;
	}
	for (n = 0; value[n] && value[n] == (char)('0' + n % 10); n++)
		;
	guest_puts("mdata long: ");
	guest_puts(status);
	guest_puts(" ");
	guest_put_u64(n);
	guest_puts(value[n] ? " bytes, then a wrong one\n" : " bytes in order\n");
	b64_encode(arg, "then");
	if (request("0000abcf", "GET", arg, status, value) < 0)
		return 1;
	if (guest_memcmp(value, "reboot", 7) != 0) {
		guest_puts("mdata guest: done\n");
		return 0;
	}
	if (request("0000abd0", "DELETE", arg, status, value) < 0)
		return 1;
	guest_puts("mdata guest: rebooting\n");
	outb(0x64, 0xfe);
	for (;;)
		cpu_relax();
}
