// SPDX-License-Identifier: MIT
/*
 * mdata.c - mdata-get, mdata-put, mdata-list and mdata-delete: the metadata tools a zone runs
 * (from /.zonecontrol, where its VM's metadata socket is) to read its customer_metadata and
 * sdc: keys and to change its customer_metadata, with SmartOS's syntax and exit statuses. In a
 * kvm guest, where there is no such socket, they speak version 2 of the protocol on the second
 * serial port instead.
 *
 *   mdata-get KEY | mdata-put KEY [VALUE] | mdata-list | mdata-delete KEY
 *   MDATA_SOCKET   the socket (default /.zonecontrol/metadata.sock)
 *   MDATA_SERIAL   the serial device (by default /dev/ttyS1 when there is no zone socket)
 */
#include <basalt/base.h>
#include <basalt/mgmt.h>

#include "tools.h"

/* The zone's socket when there is one (or one is named), else the guest's serial port. */
static int request(const char *op, const char *key, const char *value, size_t value_len,
		   char **ret_answer)
{
	const char *sock = getenv("MDATA_SOCKET"), *serial = getenv("MDATA_SERIAL");

	if (serial && *serial)
		return mgmt_mdata_serial_request(serial, op, key, value, value_len, ret_answer);
	if (sock && *sock)
		return mgmt_mdata_request(sock, op, key, value, value_len, ret_answer);
	if (access(MGMT_MDATA_SOCKET, F_OK) < 0 && access("/dev/ttyS1", F_OK) == 0)
		return mgmt_mdata_serial_request("/dev/ttyS1", op, key, value, value_len,
						 ret_answer);
	return mgmt_mdata_request(MGMT_MDATA_SOCKET, op, key, value, value_len, ret_answer);
}

/* SmartOS's statuses: 0 found, 1 not found, 2 an error, 2 usage. */
static int finish(const char *tool, int r, const char *key)
{
	if (r == -ENOENT) {
		fprintf(stderr, "No metadata for '%s'\n", key ? key : "");
		return 1;
	}
	fprintf(stderr, "%s: %s\n", tool, bs_strerror(r));
	return 2;
}

int tool_mdata_get_main(int argc, char **argv)
{
	_cleanup_free_ char *v = NULL;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: mdata-get KEY\n");
		return 2;
	}
	r = request("GET", argv[1], NULL, 0, &v);
	if (r < 0)
		return finish(argv[0], r, argv[1]);
	printf("%s\n", v);
	return 0;
}

int tool_mdata_list_main(int argc, char **argv)
{
	_cleanup_free_ char *v = NULL;
	int r;

	if (argc != 1) {
		fprintf(stderr, "usage: mdata-list\n");
		return 2;
	}
	r = request("KEYS", NULL, NULL, 0, &v);
	if (r < 0)
		return finish(argv[0], r, NULL);
	fputs(v, stdout);
	return 0;
}

/* All of stdin (a zone's /dev has no /dev/stdin to open). */
static int read_stdin(char **ret, size_t *ret_len)
{
	size_t len = 0, cap = 4096;
	char *buf = bs_malloc(cap);
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf + len, cap - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return -errno;
		}
		len += (size_t)n;
		if (len == cap)
			buf = bs_realloc(buf, cap *= 2);
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

int tool_mdata_put_main(int argc, char **argv)
{
	_cleanup_free_ char *v = NULL;
	size_t len = 0;
	int r;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: mdata-put KEY [VALUE]\n");
		return 2;
	}
	if (argc == 3) {
		v = bs_strdup(argv[2]);
		len = strlen(v);
	} else {
		r = read_stdin(&v, &len);
		if (r < 0)
			return finish(argv[0], bs_error(-r, "cannot read stdin: %s", strerror(-r)),
				      argv[1]);
	}
	r = request("PUT", argv[1], v, len, NULL);
	return r < 0 ? finish(argv[0], r, argv[1]) : 0;
}

int tool_mdata_delete_main(int argc, char **argv)
{
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: mdata-delete KEY\n");
		return 2;
	}
	r = request("DELETE", argv[1], NULL, 0, NULL);
	return r < 0 ? finish(argv[0], r, argv[1]) : 0;
}
