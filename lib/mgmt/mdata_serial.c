// SPDX-License-Identifier: MIT
/*
 * mdata_serial.c - the client side of the metadata protocol's version 2 (mdata_v2.c) on a
 * serial device, what the mdata tools use inside a kvm guest (/dev/ttyS1, the VMM's COM2). The
 * line is put in raw mode and locked against other clients; what is left on it from an earlier
 * client is read away, then empty lines are sent until the service answers "invalid command",
 * so that both ends agree on where a line starts; then NEGOTIATE V2 and one framed request,
 * whose answer is taken only when its length, CRC and request id are right.
 */
#include <basalt/mgmt.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <termios.h>
#include <time.h>

/* How long an answer may take (ms), and how many empty lines find the service or give up. */
#define SERIAL_ANSWER_MS 30000
#define SERIAL_KNOCK_MS 1000
#define SERIAL_KNOCKS 30

struct line_reader {
	int fd;
	char *buf;
	size_t len, cap;
	size_t used; /* the line last returned, with its newline */
};

/* The next line (without its newline) into *ret, owned by the reader until the next call;
 * -ETIMEDOUT when none came within timeout_ms. */
static int read_line(struct line_reader *lr, int timeout_ms, char **ret)
{
	char *nl;

	memmove(lr->buf, lr->buf + lr->used, lr->len - lr->used);
	lr->len -= lr->used;
	lr->used = 0;
	for (;;) {
		struct pollfd p = { .fd = lr->fd, .events = POLLIN };
		ssize_t n;
		int r;

		nl = memchr(lr->buf, '\n', lr->len);
		if (nl) {
			lr->used = (size_t)(nl - lr->buf) + 1;
			*nl = '\0';
			if (nl > lr->buf && nl[-1] == '\r')
				nl[-1] = '\0';
			*ret = lr->buf;
			return 0;
		}
		if (lr->len == lr->cap) {
			if (lr->cap > MGMT_MDATA_V2_MAX_LINE)
				return bs_error(EFBIG, "the metadata answer is too long");
			lr->buf = bs_realloc(lr->buf, lr->cap *= 2);
		}
		r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(lr->fd, lr->buf + lr->len, lr->cap - lr->len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return bs_error(EIO, "the metadata line closed");
		lr->len += (size_t)n;
	}
}

static int open_line(const char *device, int *ret_fd)
{
	_cleanup_close_ int fd = open(device, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;

	if (fd < 0)
		return bs_error(errno, "cannot open %s: %s", device, strerror(errno));
	if (flock(fd, LOCK_EX) < 0)
		return bs_error(errno, "cannot lock %s: %s", device, strerror(errno));
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		t.c_cflag |= CLOCAL | CREAD;
		tcsetattr(fd, TCSANOW, &t);
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* Find the service and agree on a clean line: NEGOTIATE V2 answered. */
static int handshake(struct line_reader *lr, const char *device)
{
	char *line;
	int r;

	while (read_line(lr, 100, &line) == 0)
		; /* what an earlier client left */
	for (int i = 0;; i++) {
		if (i == SERIAL_KNOCKS)
			return bs_error(ETIMEDOUT, "no metadata service answers on %s", device);
		r = bs_write_full(lr->fd, "\n", 1);
		if (r < 0)
			return bs_error(-r, "%s: %s", device, strerror(-r));
		r = read_line(lr, SERIAL_KNOCK_MS, &line);
		if (r == 0 && streq(line, "invalid command"))
			break;
		if (r < 0 && r != -ETIMEDOUT)
			return r;
	}
	r = bs_write_full(lr->fd, "NEGOTIATE V2\n", 13);
	/* passing over the answers to knocks that came late */
	do
		r = r < 0 ? r : read_line(lr, SERIAL_ANSWER_MS, &line);
	while (r == 0 && streq(line, "invalid command"));
	if (r < 0 || !streq(line, "V2_OK"))
		return bs_error(EPROTO, "the metadata service on %s does not speak version 2",
				device);
	return 0;
}

/* The request's base64 argument (NULL for KEYS). */
static char *request_arg(const char *op, const char *key, const char *value, size_t value_len)
{
	_cleanup_free_ char *k = NULL, *v = NULL, *pair = NULL;

	if (!key)
		return NULL;
	k = mgmt_mdata_base64(key, strlen(key));
	if (!streq(op, "PUT"))
		return TAKE_PTR(k);
	v = mgmt_mdata_base64(value, value_len);
	pair = bs_asprintf("%s %s", k, v);
	return mgmt_mdata_base64(pair, strlen(pair));
}

int mgmt_mdata_serial_request(const char *device, const char *op, const char *key,
			      const char *value, size_t value_len, char **ret_answer)
{
	struct line_reader lr = { .fd = -1, .cap = 4096 };
	_cleanup_free_ char *arg = request_arg(op, key, value, value_len), *frame = NULL;
	_cleanup_free_ char *payload = NULL;
	struct mgmt_mdata_v2 f;
	char id[9], *line;
	size_t plen = 0;
	int r;

	snprintf(id, sizeof(id), "%08x", (unsigned int)(getpid() ^ time(NULL)));
	r = open_line(device, &lr.fd);
	if (r < 0)
		return r;
	lr.buf = bs_malloc(lr.cap);
	r = handshake(&lr, device);
	if (r < 0)
		goto out;
	frame = mgmt_mdata_v2_frame(id, op, arg);
	r = bs_write_full(lr.fd, frame, strlen(frame));
	if (r < 0)
		goto out;
	/* lines that are not this request's answer (a garbled one, an earlier client's) are
	 * passed over */
	for (;;) {
		r = read_line(&lr, SERIAL_ANSWER_MS, &line);
		if (r == -ETIMEDOUT)
			r = bs_error(ETIMEDOUT, "the metadata service did not answer");
		if (r < 0)
			goto out;
		if (mgmt_mdata_v2_parse(line, strlen(line), &f) == 0 && f.id_len == 8 &&
		    memcmp(f.id, id, 8) == 0)
			break;
	}
	if (f.arg && mgmt_mdata_unbase64(f.arg, f.arg_len, &payload, &plen) < 0) {
		r = bs_error(EPROTO, "the metadata answer is not base64");
		goto out;
	}
	if (f.word_len == 8 && memcmp(f.word, "NOTFOUND", 8) == 0) {
		r = bs_error(ENOENT, "no metadata for '%s'", key ? key : "");
	} else if (f.word_len == 7 && memcmp(f.word, "SUCCESS", 7) == 0) {
		if (ret_answer)
			*ret_answer = payload ? TAKE_PTR(payload) : bs_strdup("");
		r = 0;
	} else {
		r = bs_error(EIO, "%s", payload ? payload : "the metadata service failed");
	}
out:
	close(lr.fd);
	free(lr.buf);
	return r;
}
