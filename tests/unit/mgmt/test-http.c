// SPDX-License-Identifier: MIT
/*
 * test-http.c - unit tests of imgadm's HTTP client (lib/mgmt/http.c) without a network: URLs
 * parsed and refused (https, other schemes, bad ports), response heads parsed (status, length,
 * chunked, location) and refused, and whole responses read from a pipe: by Content-Length, in
 * chunks with extensions and trailers, to the end of the connection, bounded in memory, into a
 * file, an error status's body dropped.
 */
#include <basalt/mgmt.h>

#include <setjmp.h>
#include <cmocka.h>

static void test_url(void **state)
{
	struct mgmt_http_url u;

	assert_int_equal(mgmt_http_url_parse("http://127.0.0.1:8080/images/x", &u), 0);
	assert_string_equal(u.host, "127.0.0.1");
	assert_int_equal(u.port, 8080);
	assert_string_equal(u.path, "/images/x");
	assert_int_equal(mgmt_http_url_parse("http://images.example", &u), 0);
	assert_int_equal(u.port, 80);
	assert_string_equal(u.path, "/");
	assert_int_equal(mgmt_http_url_parse("http://[::1]:81/a", &u), 0);
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 81);
	assert_int_equal(mgmt_http_url_parse("https://h/", &u), -ENOTSUP);
	assert_int_equal(mgmt_http_url_parse("ftp://h/", &u), -EINVAL);
	assert_int_equal(mgmt_http_url_parse("http://h:0/", &u), -EINVAL);
	assert_int_equal(mgmt_http_url_parse("http://h:65536/", &u), -EINVAL);
	assert_int_equal(mgmt_http_url_parse("http://h:x/", &u), -EINVAL);
	assert_int_equal(mgmt_http_url_parse("http:///path", &u), -EINVAL);
	assert_int_equal(mgmt_http_url_parse("http://h/a b", &u), -EINVAL);
	assert_int_equal(mgmt_http_url_parse("http://h?q", &u), -EINVAL);
}

static int head(const char *text, struct mgmt_http_head *h)
{
	return mgmt_http_parse_head(text, strlen(text), h);
}

static void test_head(void **state)
{
	static const char *const bad[] = {
		"HTTP/1.1 2000 OK\r\n\r\n",
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/1.1 abc\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
	};
	struct mgmt_http_head h;
	const char *ok = "HTTP/1.0 200 OK\r\nServer: x\r\ncontent-length:  42 \r\n\r\nbody";

	assert_int_equal(head(ok, &h), (int)(strlen(ok) - 4));
	assert_int_equal(h.status, 200);
	assert_int_equal(h.content_length, 42);
	assert_false(h.chunked);
	assert_int_equal(head("HTTP/1.1 301 Moved\nLocation: /images/\n\n", &h), 39);
	assert_int_equal(h.status, 301);
	assert_string_equal(h.location, "/images/");
	assert_int_equal(h.content_length, -1);
	assert_int_equal(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n", &h) > 0, 1);
	assert_true(h.chunked);
	assert_int_equal(head("HTTP/1.1 200 OK\r\nContent-Len", &h), -EAGAIN);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(head(bad[i], &h), -EINVAL);
}

/* Read the response text from a pipe: 0 or the error; the body in memory (max bytes) or, with
 * out_fd >= 0, there. */
static int respond(const char *text, int out_fd, size_t max, struct mgmt_http_head *h, char **body,
		   size_t *len)
{
	int p[2], r;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(bs_write_full(p[1], text, strlen(text)), 0);
	close(p[1]);
	r = mgmt_http_read_response(p[0], out_fd, max, h, body, len);
	close(p[0]);
	return r;
}

static void test_response(void **state)
{
	struct mgmt_http_head h;
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	char buf[64];

	assert_int_equal(respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA", -1, 100,
				 &h, &body, &len),
			 0);
	assert_string_equal(body, "hello");
	assert_int_equal(len, 5);
	free(body);

	assert_int_equal(respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				 "5;ext=1\r\nhello\r\nA\r\n, chunked!\r\n0\r\nX-Trailer: 1\r\n\r\n",
				 -1, 100, &h, &body, &len),
			 0);
	assert_string_equal(body, "hello, chunked!");
	free(body);

	assert_int_equal(respond("HTTP/1.0 200 OK\r\n\r\nto the end", -1, 100, &h, &body, &len), 0);
	assert_string_equal(body, "to the end");
	free(body);

	/* bounded in memory; a short body; a bad chunk */
	assert_int_equal(respond("HTTP/1.1 200 OK\r\n\r\n0123456789", -1, 4, &h, &body, &len),
			 -EFBIG);
	assert_int_equal(respond("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort", -1, 100, &h,
				 &body, &len),
			 -EIO);
	assert_int_equal(respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", -1,
				 100, &h, &body, &len),
			 -EINVAL);
	assert_int_equal(respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				 "2\r\nabc\r\n0\r\n\r\n",
				 -1, 100, &h, &body, &len),
			 -EINVAL);
	assert_int_equal(respond("garbage\r\n\r\n", -1, 100, &h, &body, &len), -EINVAL);

	/* an error status: its body is not the caller's */
	body = NULL;
	assert_int_equal(respond("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!", -1, 100,
				 &h, &body, &len),
			 0);
	assert_int_equal(h.status, 404);
	assert_null(body);

	/* into a file */
	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(respond("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfile", fileno(f), 0,
				 &h, NULL, NULL),
			 0);
	rewind(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	assert_string_equal(buf, "file");
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_response),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
