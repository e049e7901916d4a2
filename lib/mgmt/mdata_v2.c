// SPDX-License-Identifier: MIT
/*
 * mdata_v2.c - version 2 of SmartOS's metadata protocol, the one KVM guests speak over their
 * second serial port, where a connection cannot end an answer by closing: every message is one
 * line, framed and checked.
 *
 *   NEGOTIATE V2          ->  V2_OK
 *   V2 LEN CRC BODY       ->  V2 LEN CRC BODY
 *
 * LEN is the body's length in decimal, CRC its CRC-32 (IEEE, as zlib's) in eight lower-case hex
 * digits. A request's body is "ID COMMAND [ARG]": ID eight hex digits the answer repeats,
 * COMMAND GET, KEYS, PUT or DELETE, ARG base64 (GET and DELETE: the key; PUT: base64 of the
 * key, a space, base64 of the value). An answer's body is "ID STATUS [ARG]", STATUS SUCCESS,
 * NOTFOUND or FAILURE, ARG the base64 of the value (GET) or of the keys, one a line (KEYS).
 * Anything else on the line is answered "invalid command", which a client uses to find out that
 * the service is there and the line clean. The framing is shared by the server's side (its
 * session loop is here too, answering through a handler) and the client's: this file is linked
 * into the static basalt-mdata as well.
 */
#include <basalt/mgmt.h>

#include <poll.h>

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

uint32_t mgmt_mdata_crc32(const void *buf, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = buf;
	uint32_t c = 0xffffffff;

	if (!table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t t = i;

			for (int k = 0; k < 8; k++)
				t = (t >> 1) ^ (0xedb88320u & (0u - (t & 1)));
			table[i] = t;
		}
	while (len--)
		c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

char *mgmt_mdata_base64(const void *buf, size_t len)
{
	const uint8_t *in = buf;
	char *out = bs_malloc((len + 2) / 3 * 4 + 1), *p = out;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*p++ = b64_alphabet[v >> 18 & 63];
		*p++ = b64_alphabet[v >> 12 & 63];
		*p++ = i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=';
		*p++ = i + 2 < len ? b64_alphabet[v & 63] : '=';
	}
	*p = '\0';
	return out;
}

static int b64_digit(char c)
{
	const char *p = c ? strchr(b64_alphabet, c) : NULL;

	return p ? (int)(p - b64_alphabet) : -1;
}

int mgmt_mdata_unbase64(const char *s, size_t len, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *out = NULL;
	size_t n = 0, pad = 0;
	uint32_t acc = 0;

	if (len % 4)
		return -EINVAL;
	while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
		pad++;
	out = bs_malloc(len / 4 * 3 + 1);
	for (size_t i = 0; i < len - pad; i++) {
		int d = b64_digit(s[i]);

		if (d < 0)
			return -EINVAL;
		acc = acc << 6 | (uint32_t)d;
		if (i % 4 == 3) {
			out[n++] = (char)(acc >> 16);
			out[n++] = (char)(acc >> 8);
			out[n++] = (char)acc;
		}
	}
	/* the last group: 2 or 3 digits, whose unused low bits must be zero */
	if (pad == 2) {
		if (acc & 0xf)
			return -EINVAL;
		out[n++] = (char)(acc >> 4);
	} else if (pad == 1) {
		if (acc & 0x3)
			return -EINVAL;
		out[n++] = (char)(acc >> 10);
		out[n++] = (char)(acc >> 2);
	}
	out[n] = '\0';
	*ret = TAKE_PTR(out);
	*ret_len = n;
	return 0;
}

char *mgmt_mdata_v2_frame(const char *id, const char *word, const char *arg)
{
	_cleanup_free_ char *body = arg ? bs_asprintf("%s %s %s", id, word, arg) :
					  bs_asprintf("%s %s", id, word);

	return bs_asprintf("V2 %zu %08x %s\n", strlen(body), mgmt_mdata_crc32(body, strlen(body)),
			   body);
}

/* The length of the run of characters of s[0, len) that pass is(c). */
static size_t span(const char *s, size_t len, int (*is)(int))
{
	size_t n = 0;

	while (n < len && is((unsigned char)s[n]))
		n++;
	return n;
}

static int is_lower_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_word(int c)
{
	return c > ' ' && c < 0x7f;
}

int mgmt_mdata_v2_parse(const char *line, size_t len, struct mgmt_mdata_v2 *ret)
{
	struct mgmt_mdata_v2 f = { 0 };
	const char *p = line, *end = line + len, *body;
	uint64_t blen = 0;
	size_t n;
	uint32_t crc = 0;

	if (len > MGMT_MDATA_V2_MAX_LINE || len < 3 || memcmp(p, "V2 ", 3) != 0)
		return -EINVAL;
	p += 3;
	n = span(p, (size_t)(end - p), is_digit);
	if (n == 0 || n > 8 || p + n == end || p[n] != ' ')
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		blen = blen * 10 + (uint64_t)(p[i] - '0');
	p += n + 1;
	n = span(p, (size_t)(end - p), is_lower_hex);
	if (n != 8 || p + n == end || p[n] != ' ')
		return -EINVAL;
	for (size_t i = 0; i < 8; i++)
		crc = crc << 4 | (uint32_t)(p[i] <= '9' ? p[i] - '0' : p[i] - 'a' + 10);
	body = p + 9;
	if ((uint64_t)(end - body) != blen || mgmt_mdata_crc32(body, (size_t)blen) != crc)
		return -EINVAL;
	/* the body: ID COMMAND [ARG] */
	p = body;
	n = span(p, (size_t)(end - p), is_lower_hex);
	if (n == 0 || n > 8 || p + n == end || p[n] != ' ')
		return -EINVAL;
	f.id = p;
	f.id_len = n;
	p += n + 1;
	n = span(p, (size_t)(end - p), is_word);
	if (n == 0 || (p + n != end && p[n] != ' '))
		return -EINVAL;
	f.word = p;
	f.word_len = n;
	p += n;
	if (p != end) {
		p++;
		n = span(p, (size_t)(end - p), is_word);
		if (n == 0 || p + n != end)
			return -EINVAL;
		f.arg = p;
		f.arg_len = n;
	}
	*ret = f;
	return 0;
}

static bool word_is(const struct mgmt_mdata_v2 *f, const char *w)
{
	return f->word_len == strlen(w) && memcmp(f->word, w, f->word_len) == 0;
}

int mgmt_mdata_v2_request(const struct mgmt_mdata_v2 *f, struct mgmt_mdata_req *ret, char **ret_buf)
{
	_cleanup_free_ char *arg = NULL, *key = NULL, *value = NULL;
	struct mgmt_mdata_req q = { 0 };
	size_t arg_len = 0, key_len, value_len;
	const char *sp;
	char *buf;

	if (word_is(f, "KEYS")) {
		if (f->arg)
			return -EINVAL;
		q.op = MGMT_MDATA_KEYS;
		*ret = q;
		*ret_buf = NULL;
		return 0;
	}
	if (word_is(f, "GET"))
		q.op = MGMT_MDATA_GET;
	else if (word_is(f, "DELETE"))
		q.op = MGMT_MDATA_DELETE;
	else if (word_is(f, "PUT"))
		q.op = MGMT_MDATA_PUT;
	else
		return -EINVAL;
	if (!f->arg || mgmt_mdata_unbase64(f->arg, f->arg_len, &arg, &arg_len) < 0)
		return -EINVAL;
	if (q.op != MGMT_MDATA_PUT) {
		if (arg_len == 0 || memchr(arg, '\0', arg_len))
			return -EINVAL;
		q.key = arg;
		q.key_len = arg_len;
		*ret = q;
		*ret_buf = TAKE_PTR(arg);
		return 0;
	}
	/* PUT: base64(key) SPACE base64(value), one buffer holding "key\0value" */
	sp = memchr(arg, ' ', arg_len);
	if (!sp || mgmt_mdata_unbase64(arg, (size_t)(sp - arg), &key, &key_len) < 0 ||
	    mgmt_mdata_unbase64(sp + 1, arg_len - (size_t)(sp - arg) - 1, &value, &value_len) < 0 ||
	    key_len == 0 || memchr(key, '\0', key_len) || value_len > MGMT_MDATA_MAX_VALUE)
		return -EINVAL;
	buf = bs_malloc(key_len + 1 + value_len + 1);
	memcpy(buf, key, key_len + 1);
	memcpy(buf + key_len + 1, value, value_len + 1);
	q.key = buf;
	q.key_len = key_len;
	q.value = buf + key_len + 1;
	q.value_len = value_len;
	*ret = q;
	*ret_buf = buf;
	return 0;
}

/* ---- the server's side ---- */

void mgmt_mdata_answer_set(struct mgmt_mdata_answer *a, const char *status, const char *value)
{
	a->status = status;
	free(a->value);
	a->value = value ? bs_strdup(value) : NULL;
}

/* Answer one line. */
static void serve_line(int fd, const char *line, size_t len, mgmt_mdata_handler fn, void *opaque)
{
	_cleanup_free_ char *id = NULL, *arg = NULL, *frame = NULL, *buf = NULL;
	struct mgmt_mdata_answer a = { "FAILURE", NULL };
	struct mgmt_mdata_v2 f;
	struct mgmt_mdata_req q;
	const char *reply;

	if (len == strlen("NEGOTIATE V2") && memcmp(line, "NEGOTIATE V2", len) == 0) {
		reply = "V2_OK\n";
		bs_write_full(fd, reply, strlen(reply));
		return;
	}
	if (mgmt_mdata_v2_parse(line, len, &f) < 0) {
		reply = "invalid command\n";
		bs_write_full(fd, reply, strlen(reply));
		return;
	}
	id = bs_malloc(f.id_len + 1);
	memcpy(id, f.id, f.id_len);
	id[f.id_len] = '\0';
	if (mgmt_mdata_v2_request(&f, &q, &buf) < 0)
		mgmt_mdata_answer_set(&a, "FAILURE", "bad request");
	else
		fn(&q, &a, opaque);
	if (a.value)
		arg = mgmt_mdata_base64(a.value, strlen(a.value));
	frame = mgmt_mdata_v2_frame(id, a.status, arg);
	bs_write_full(fd, frame, strlen(frame));
	free(a.value);
}

int mgmt_mdata_v2_serve(int fd, int stop_fd, mgmt_mdata_handler fn, void *opaque)
{
	size_t cap = MGMT_MDATA_V2_MAX_LINE + 1, len = 0;
	_cleanup_free_ char *buf = bs_malloc(cap);
	bool skipping = false; /* the rest of a line too long to serve */

	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = stop_fd, .events = POLLIN } };
		char *nl;
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[1].revents)
			return 1;
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		len += (size_t)n;
		while ((nl = memchr(buf, '\n', len))) {
			size_t l = (size_t)(nl - buf);

			if (!skipping)
				serve_line(fd, buf, l > 0 && buf[l - 1] == '\r' ? l - 1 : l, fn,
					   opaque);
			skipping = false;
			memmove(buf, nl + 1, len - l - 1);
			len -= l + 1;
		}
		if (len == cap) {
			bs_write_full(fd, "invalid command\n", 16);
			skipping = true;
			len = 0;
		}
	}
}
