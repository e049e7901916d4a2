// SPDX-License-Identifier: MIT
/*
 * http.c - the small HTTP/1.1 client imgadm uses for IMGAPI sources: GET of an http:// URL over
 * TCP, redirects followed (a static file server answers /images with a redirect to /images/), the
 * body read by its Content-Length, in chunks (Transfer-Encoding: chunked) or to the end of the
 * connection, into memory (bounded) or into a file. Plain http only: there is no TLS, so an
 * https:// source is refused; and no DNS (see resolve()). The response comes from the network: its
 * head and its chunk lines are parsed with bounds (mgmt_http_parse_head, fuzzed), and bodies never
 * exceed what the caller allows.
 */
#include <basalt/mgmt.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>

#define HTTP_HEAD_MAX (64u << 10)
#define HTTP_LINE_MAX 1024
#define HTTP_REDIRECTS 5
#define HTTP_TIMEOUT_S 30

int mgmt_http_url_parse(const char *url, struct mgmt_http_url *ret)
{
	struct mgmt_http_url u = { .port = 80 };
	const char *p, *host, *end;
	size_t hlen;

	if (bs_startswith(url, "https://"))
		return bs_error(ENOTSUP, "%s: https is not supported (no TLS); use http://", url);
	if (!bs_startswith(url, "http://"))
		return bs_error(EINVAL, "%s: not an http:// URL", url);
	host = url + strlen("http://");
	if (*host == '[') {
		end = strchr(host, ']');
		if (!end)
			return bs_error(EINVAL, "%s: an unclosed [ in the host", url);
		hlen = (size_t)(end - host - 1);
		host++;
		p = end + 1;
	} else {
		hlen = strcspn(host, ":/?#");
		p = host + hlen;
	}
	if (hlen == 0 || hlen >= sizeof(u.host))
		return bs_error(EINVAL, "%s: no host, or a host name too long", url);
	memcpy(u.host, host, hlen);
	u.host[hlen] = '\0';
	if (strspn(u.host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") !=
	    hlen)
		return bs_error(EINVAL, "%s: a bad host name", url);
	if (*p == ':') {
		size_t n = strspn(p + 1, "0123456789");
		char num[8];
		uint64_t port;

		if (n == 0 || n >= sizeof(num))
			return bs_error(EINVAL, "%s: a bad port", url);
		memcpy(num, p + 1, n);
		num[n] = '\0';
		if (bs_parse_u64(num, &port) < 0 || port == 0 || port > 65535)
			return bs_error(EINVAL, "%s: a bad port", url);
		u.port = (unsigned int)port;
		p += 1 + n;
	}
	if (*p && *p != '/')
		return bs_error(EINVAL, "%s: expected a path after the host", url);
	if (strlen(*p ? p : "/") >= sizeof(u.path) || strpbrk(p, " \r\n"))
		return bs_error(EINVAL, "%s: a bad path", url);
	snprintf(u.path, sizeof(u.path), "%s", *p ? p : "/");
	*ret = u;
	return 0;
}

/* The value of a header line "Name: value" if its name is name (case-insensitive). */
static const char *header_value(const char *line, size_t len, const char *name, size_t *ret_len)
{
	size_t n = strlen(name);
	const char *v, *end = line + len;

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	for (v = line + n + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*ret_len = (size_t)(end - v);
	return v;
}

int mgmt_http_parse_head(const char *buf, size_t len, struct mgmt_http_head *ret)
{
	struct mgmt_http_head h = { .content_length = -1 };
	const char *p = buf, *end, *eol;
	size_t head_len;
	bool first = true;

	/* the head ends with an empty line */
	for (end = buf;; end++) {
		end = memchr(end, '\n', len - (size_t)(end - buf));
		if (!end)
			return len >= HTTP_HEAD_MAX ? -EINVAL : -EAGAIN;
		if ((end > buf && end[-1] == '\n') ||
		    (end - buf >= 2 && end[-1] == '\r' && end[-2] == '\n'))
			break;
	}
	head_len = (size_t)(end - buf) + 1;
	if (head_len > HTTP_HEAD_MAX)
		return -EINVAL;
	for (; p < end; p = eol + 1) {
		size_t l, vlen;
		const char *v;

		eol = memchr(p, '\n', (size_t)(end - p) + 1);
		l = (size_t)(eol - p);
		if (l && p[l - 1] == '\r')
			l--;
		if (memchr(p, '\0', l))
			return -EINVAL;
		if (first) {
			/* HTTP/1.x SP 3DIGIT [SP reason] */
			if (l < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ' ||
			    !isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) ||
			    !isdigit((unsigned char)p[11]) || (l > 12 && p[12] != ' '))
				return -EINVAL;
			h.status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
			first = false;
			continue;
		}
		if (l == 0)
			break;
		if ((v = header_value(p, l, "Content-Length", &vlen))) {
			char num[21];
			uint64_t n;

			if (vlen == 0 || vlen >= sizeof(num) || strspn(v, "0123456789") < vlen)
				return -EINVAL;
			memcpy(num, v, vlen);
			num[vlen] = '\0';
			if (bs_parse_u64(num, &n) < 0 || n > INT64_MAX ||
			    (h.content_length >= 0 && (uint64_t)h.content_length != n))
				return -EINVAL;
			h.content_length = (int64_t)n;
		} else if ((v = header_value(p, l, "Transfer-Encoding", &vlen))) {
			if (vlen == 7 && strncasecmp(v, "chunked", 7) == 0)
				h.chunked = true;
			else if (!(vlen == 8 && strncasecmp(v, "identity", 8) == 0))
				return -EINVAL; /* gzip and the like: not asked for */
		} else if ((v = header_value(p, l, "Location", &vlen))) {
			if (vlen >= sizeof(h.location))
				return -EINVAL;
			memcpy(h.location, v, vlen);
			h.location[vlen] = '\0';
		}
	}
	*ret = h;
	return (int)head_len;
}

/* ---- reading a response ---- */

struct reader {
	int fd;
	char buf[64 << 10];
	size_t pos, len;
};

static int fill(struct reader *rd)
{
	ssize_t n;

	if (rd->pos == rd->len)
		rd->pos = rd->len = 0;
	if (rd->len == sizeof(rd->buf))
		return -ENOBUFS;
	do
		n = read(rd->fd, rd->buf + rd->len, sizeof(rd->buf) - rd->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return bs_error(errno, "reading the HTTP response: %s", strerror(errno));
	rd->len += (size_t)n;
	return (int)(n > 0);
}

/* Where a body goes: a file, or memory of at most max bytes. */
struct sink {
	int fd;
	char *mem;
	size_t len, max;
};

static int sink_put(struct sink *s, const char *p, size_t n)
{
	if (s->fd >= 0)
		return bs_write_full(s->fd, p, n);
	if (n > s->max - s->len)
		return bs_error(EFBIG, "the HTTP answer is larger than %zu bytes", s->max);
	s->mem = bs_realloc(s->mem, s->len + n + 1);
	memcpy(s->mem + s->len, p, n);
	s->len += n;
	s->mem[s->len] = '\0';
	return 0;
}

/* n bytes of body (or, n < 0, everything to the end of the connection) into the sink. */
static int body_copy(struct reader *rd, struct sink *s, int64_t n)
{
	while (n != 0) {
		size_t avail = rd->len - rd->pos, take;
		int r;

		if (avail == 0) {
			r = fill(rd);
			if (r < 0)
				return r;
			if (r == 0)
				return n < 0 ? 0 : bs_error(EIO, "the HTTP answer ended early");
			continue;
		}
		take = n < 0 ? avail : (size_t)MIN((uint64_t)n, avail);
		r = sink_put(s, rd->buf + rd->pos, take);
		if (r < 0)
			return r;
		rd->pos += take;
		if (n > 0)
			n -= (int64_t)take;
	}
	return 0;
}

/* One line of at most HTTP_LINE_MAX bytes, without its CRLF. */
static int read_crlf_line(struct reader *rd, char *line)
{
	for (;;) {
		char *nl = memchr(rd->buf + rd->pos, '\n', rd->len - rd->pos);
		int r;

		if (nl) {
			size_t l = (size_t)(nl - (rd->buf + rd->pos));

			if (l >= HTTP_LINE_MAX)
				return bs_error(EINVAL, "the HTTP answer has a line too long");
			memcpy(line, rd->buf + rd->pos, l);
			if (l && line[l - 1] == '\r')
				l--;
			line[l] = '\0';
			rd->pos = (size_t)(nl - rd->buf) + 1;
			return 0;
		}
		if (rd->len - rd->pos >= HTTP_LINE_MAX)
			return bs_error(EINVAL, "the HTTP answer has a line too long");
		if (rd->pos > 0) {
			memmove(rd->buf, rd->buf + rd->pos, rd->len - rd->pos);
			rd->len -= rd->pos;
			rd->pos = 0;
		}
		r = fill(rd);
		if (r < 0)
			return r;
		if (r == 0)
			return bs_error(EIO, "the HTTP answer ended early");
	}
}

static int body_chunked(struct reader *rd, struct sink *s)
{
	char line[HTTP_LINE_MAX];

	for (;;) {
		size_t n = 0, i;
		int r = read_crlf_line(rd, line);

		if (r < 0)
			return r;
		for (i = 0; isxdigit((unsigned char)line[i]); i++) {
			if (n >> 56)
				return bs_error(EINVAL, "the HTTP answer has a bad chunk size");
			n = n << 4 | (size_t)(isdigit((unsigned char)line[i]) ?
						      line[i] - '0' :
						      (tolower((unsigned char)line[i]) - 'a' + 10));
		}
		if (i == 0 || (line[i] && line[i] != ';' && line[i] != ' '))
			return bs_error(EINVAL, "the HTTP answer has a bad chunk size");
		if (n == 0)
			break;
		r = body_copy(rd, s, (int64_t)n);
		if (r >= 0)
			r = read_crlf_line(rd, line);
		if (r >= 0 && line[0])
			r = bs_error(EINVAL, "the HTTP answer has a chunk of the wrong size");
		if (r < 0)
			return r;
	}
	/* trailers, to the empty line */
	do {
		int r = read_crlf_line(rd, line);

		if (r < 0)
			return r;
	} while (line[0]);
	return 0;
}

int mgmt_http_read_response(int fd, int out_fd, size_t max, struct mgmt_http_head *ret_head,
			    char **ret_body, size_t *ret_len)
{
	_cleanup_free_ struct reader *rd = bs_zalloc(sizeof(*rd));
	struct sink s = { .fd = -1, .max = max };
	struct mgmt_http_head h;
	bool ok;
	int r;

	rd->fd = fd;
	for (;;) {
		r = mgmt_http_parse_head(rd->buf, rd->len, &h);
		if (r != -EAGAIN)
			break;
		r = fill(rd);
		if (r == 0)
			r = bs_error(EIO,
				     "the HTTP server closed the connection without an answer");
		if (r == -ENOBUFS)
			r = -EINVAL;
		if (r < 0)
			break;
	}
	if (r == -EINVAL)
		return bs_error(EINVAL, "the HTTP answer is malformed");
	if (r < 0)
		return r;
	rd->pos = (size_t)r;
	ok = h.status >= 200 && h.status < 300;
	/* only a successful answer's body goes to the file; others are kept to be dropped */
	s.fd = ok ? out_fd : -1;
	if (!ok)
		s.max = HTTP_HEAD_MAX;
	if (h.chunked)
		r = body_chunked(rd, &s);
	else
		r = body_copy(rd, &s, h.content_length);
	if (r < 0 && !ok)
		r = 0; /* an error page that does not parse: the status says enough */
	if (r < 0) {
		free(s.mem);
		return r;
	}
	*ret_head = h;
	if (ret_body && ok && out_fd < 0) {
		*ret_body = s.mem ? s.mem : bs_strdup("");
		if (ret_len)
			*ret_len = s.len;
	} else {
		free(s.mem);
	}
	return 0;
}

/* A numeric IPv4 or IPv6 address; -EINVAL if host is not one. */
static int numeric(const char *host, unsigned int port, struct sockaddr_storage *ret,
		   socklen_t *ret_len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ret;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ret;

	memset(ret, 0, sizeof(*ret));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*ret_len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*ret_len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

/* The address of host: a numeric IPv4 or IPv6 address, or a name from /etc/hosts. The basalt
 * binary is linked statically, where the C library's resolver (NSS) cannot be used, so no DNS. */
static int resolve(const char *host, unsigned int port, struct sockaddr_storage *ret,
		   socklen_t *ret_len)
{
	_cleanup_free_ char *hosts = NULL;
	char *line, *save = NULL;

	if (numeric(host, port, ret, ret_len) == 0)
		return 0;
	if (bs_read_file("/etc/hosts", &hosts, NULL) == 0)
		for (line = strtok_r(hosts, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *hash = strchr(line, '#'), *save2 = NULL, *addr, *name;

			if (hash)
				*hash = '\0';
			addr = strtok_r(line, " \t", &save2);
			while (addr && (name = strtok_r(NULL, " \t", &save2)))
				if (strcasecmp(name, host) == 0 &&
				    numeric(addr, port, ret, ret_len) == 0)
					return 0;
		}
	return bs_error(EHOSTUNREACH,
			"cannot resolve %s: give an address, or a name in /etc/hosts (no DNS)",
			host);
}

static int http_connect(const struct mgmt_http_url *u, int *ret_fd)
{
	struct timeval tv = { .tv_sec = HTTP_TIMEOUT_S };
	struct sockaddr_storage sa;
	_cleanup_close_ int fd = -1;
	socklen_t len;
	int r;

	r = resolve(u->host, u->port, &sa, &len);
	if (r < 0)
		return r;
	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, len) < 0)
		return bs_error(errno, "cannot connect to %s:%u: %s", u->host, u->port,
				strerror(errno));
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* host:port as a URL or a Host header writes it (an IPv6 address in brackets). */
static char *host_port(const struct mgmt_http_url *u)
{
	return bs_asprintf(strchr(u->host, ':') ? "[%s]:%u" : "%s:%u", u->host, u->port);
}

int mgmt_http_get(const char *url, int out_fd, size_t max, char **ret_body, size_t *ret_len)
{
	_cleanup_free_ char *current = bs_strdup(url);

	for (int hop = 0; hop <= HTTP_REDIRECTS; hop++) {
		_cleanup_free_ char *req = NULL, *hp = NULL;
		_cleanup_close_ int fd = -1;
		struct mgmt_http_head h;
		struct mgmt_http_url u;
		int r;

		r = mgmt_http_url_parse(current, &u);
		if (r < 0)
			return r;
		r = http_connect(&u, &fd);
		if (r < 0)
			return r;
		hp = host_port(&u);
		req = bs_asprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: basalt-imgadm\r\n"
				  "Accept: */*\r\nConnection: close\r\n\r\n",
				  u.path, hp);
		r = bs_write_full(fd, req, strlen(req));
		if (r < 0)
			return bs_error(-r, "%s: %s", current, strerror(-r));
		r = mgmt_http_read_response(fd, out_fd, max, &h, ret_body, ret_len);
		if (r < 0)
			return r;
		if (h.status >= 200 && h.status < 300)
			return 0;
		if (h.status == 404)
			return bs_error(ENOENT, "%s: not found (404)", current);
		if ((h.status == 301 || h.status == 302 || h.status == 303 || h.status == 307 ||
		     h.status == 308) &&
		    h.location[0]) {
			char *next = h.location[0] == '/' ?
					     bs_asprintf("http://%s%s", hp, h.location) :
					     bs_strdup(h.location);

			free(current);
			current = next;
			continue;
		}
		return bs_error(EIO, "%s: the server answered %d", current, h.status);
	}
	return bs_error(ELOOP, "%s: more than %d redirects", url, HTTP_REDIRECTS);
}
