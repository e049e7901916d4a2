// SPDX-License-Identifier: MIT
/*
 * image_http.c - IMGAPI sources: an image server reached over plain HTTP (http.c), as imgadm
 * uses one: GET /images lists the manifests it has, GET /images/UUID is one manifest and
 * GET /images/UUID/file its file, which is downloaded into the state directory's run/imgadm/
 * and handed to the install as a local file (verified there against the manifest's size and
 * sha1), then removed.
 */
#include <basalt/mgmt.h>

#include <fcntl.h>

#include "mgmt_impl.h"

/* The manifests an answer may hold: a list of them is bounded, so is one. */
#define IMGAPI_LIST_MAX (16u << 20)
#define IMGAPI_MANIFEST_MAX (1u << 20)

static int get_json(const char *url, size_t max, json_t **ret)
{
	_cleanup_free_ char *body = NULL;
	int r;

	r = mgmt_http_get(url, -1, max, &body, NULL);
	if (r < 0)
		return r;
	return bs_json_parse(body, url, ret);
}

int mgmt_image_http_list(const char *source, json_t **ret)
{
	_cleanup_free_ char *url = bs_asprintf("%s/images", source);
	_cleanup_json_ json_t *list = NULL;
	int r;

	r = get_json(url, IMGAPI_LIST_MAX, &list);
	if (r < 0)
		return r;
	if (!json_is_array(list))
		return bs_error(EINVAL, "%s: not a list of image manifests", url);
	*ret = TAKE_PTR(list);
	return 0;
}

int mgmt_image_http_fetch(const char *source, const char *uuid, json_t **ret_m, char **ret_file)
{
	_cleanup_free_ char *url = bs_asprintf("%s/images/%s", source, uuid), *furl = NULL;
	_cleanup_free_ char *dir = bs_root_path("run/imgadm"), *file = NULL;
	_cleanup_json_ json_t *m = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	r = get_json(url, IMGAPI_MANIFEST_MAX, &m);
	if (r < 0)
		return r;
	if (!json_is_object(m) || !streq(json_string_value(json_object_get(m, "uuid")) ?: "", uuid))
		return bs_error(EINVAL, "%s: not the manifest of image %s", url, uuid);
	r = bs_mkdir_p(dir, 0700);
	if (r < 0)
		return bs_error(-r, "cannot create %s: %s", dir, strerror(-r));
	file = bs_asprintf("%s/%s.file", dir, uuid);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return bs_error(errno, "cannot create %s: %s", file, strerror(errno));
	furl = bs_asprintf("%s/file", url);
	r = mgmt_http_get(furl, fd, 0, NULL, NULL);
	if (r < 0) {
		unlink(file);
		return r;
	}
	*ret_m = TAKE_PTR(m);
	*ret_file = TAKE_PTR(file);
	return 0;
}
