// SPDX-License-Identifier: MIT
/*
 * mdata_client.c - the client side of the metadata protocol (see mdata.c), on its own so that the
 * mdata tools that zones run can be a small static binary, basalt-mdata, linked with lib/base
 * alone.
 */
#include <basalt/mgmt.h>

#include <sys/socket.h>
#include <sys/un.h>

int mgmt_mdata_request(const char *socket_path, const char *op, const char *key, const char *value,
		       size_t value_len, char **ret_answer)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *head = NULL, *buf = NULL;
	size_t len = 0, cap = 4096;
	ssize_t n;
	char *nl;
	int r;

	if (bs_strlcpy(sa.sun_path, socket_path, sizeof(sa.sun_path)) < 0)
		return bs_error(ENAMETOOLONG, "%s: path too long", socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return bs_error(errno, "cannot reach the metadata service at %s: %s", socket_path,
				strerror(errno));
	if (streq(op, "PUT"))
		head = bs_asprintf("PUT %s %zu\n", key, value_len);
	else if (key)
		head = bs_asprintf("%s %s\n", op, key);
	else
		head = bs_asprintf("%s\n", op);
	r = bs_write_full(fd, head, strlen(head));
	if (r >= 0 && value_len)
		r = bs_write_full(fd, value, value_len);
	if (r < 0)
		return r;
	shutdown(fd, SHUT_WR);
	buf = bs_malloc(cap);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 1024) {
			if (cap > 2 * MGMT_MDATA_MAX_VALUE)
				return bs_error(EFBIG, "the metadata answer is too long");
			buf = bs_realloc(buf, cap *= 2);
		}
	}
	buf[len] = '\0';
	nl = strchr(buf, '\n');
	if (!nl)
		return bs_error(EIO, "the metadata service gave no answer");
	*nl = '\0';
	if (streq(buf, "NOTFOUND"))
		return bs_error(ENOENT, "no metadata for '%s'", key ? key : "");
	if (!streq(buf, "SUCCESS"))
		return bs_error(EIO, "%s", bs_startswith(buf, "FAILURE ") ? buf + 8 : buf);
	if (ret_answer)
		*ret_answer = bs_strdup(nl + 1);
	return 0;
}
