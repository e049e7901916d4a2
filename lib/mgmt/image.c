// SPDX-License-Identifier: MIT
/*
 * image.c - the image store, as imgadm keeps it: an image is the dataset POOL/UUID (a file system
 * for zone-dataset images, a volume for zvol images) with a snapshot @final that zones and disks
 * are cloned from, and its IMGAPI v2 manifest, kept in the pool as POOL/config's
 * images/UUID.json so that the pool carries its images along. Sources are directories of
 * STEM.json manifests with their files beside them (STEM.zfs, STEM.zfs.gz, ...), or IMGAPI
 * servers reached over http:// (image_http.c).
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <basalt/mgmt.h>

#include <dirent.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "mgmt_impl.h"

static const char *const compressions[][3] = {
	/* name, file suffix, decompressor */
	{ "none", ".zfs", NULL },  { "gzip", ".zfs.gz", "gzip" },  { "bzip2", ".zfs.bz2", "bzip2" },
	{ "xz", ".zfs.xz", "xz" }, { "zstd", ".zfs.zst", "zstd" },
};

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static int compression_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(compressions); i++)
		if (streq(name, compressions[i][0]))
			return (int)i;
	return -1;
}

static json_t *file0(json_t *m)
{
	return json_array_get(json_object_get(m, "files"), 0);
}

int mgmt_image_manifest_check(json_t *m)
{
	static const char *const strings[] = { "name", "version", "os" };
	json_t *f = file0(m), *v;
	const char *type, *sha1, *comp;

	if (!json_is_object(m))
		return bs_error(EINVAL, "the image manifest is not a JSON object");
	v = json_object_get(m, "v");
	if (v && !(json_is_integer(v) && json_integer_value(v) == 2) &&
	    !(json_is_string(v) && streq(json_string_value(v), "2")))
		return bs_error(EINVAL,
				"image manifest: v: only version 2 manifests are supported");
	if (!bs_uuid_valid(json_string_value(json_object_get(m, "uuid")) ?: ""))
		return bs_error(EINVAL, "image manifest: uuid: missing or not a UUID");
	for (size_t i = 0; i < ARRAY_SIZE(strings); i++)
		if (!json_is_string(json_object_get(m, strings[i])))
			return bs_error(EINVAL, "image manifest: %s: missing or not a string",
					strings[i]);
	type = json_string_value(json_object_get(m, "type"));
	if (!type || (!streq(type, "zone-dataset") && !streq(type, "zvol")))
		return bs_error(EINVAL, "image manifest: type: must be zone-dataset or zvol");
	v = json_object_get(m, "origin");
	if (v && !bs_uuid_valid(json_string_value(v) ?: ""))
		return bs_error(EINVAL, "image manifest: origin: not a UUID");
	if (streq(type, "zvol") && !json_is_integer(json_object_get(m, "image_size")))
		return bs_error(EINVAL, "image manifest: image_size: a zvol image needs it (MiB)");
	if (json_array_size(json_object_get(m, "files")) != 1 || !json_is_object(f))
		return bs_error(EINVAL, "image manifest: files: must hold exactly one file");
	sha1 = json_string_value(json_object_get(f, "sha1"));
	if (!sha1 || strlen(sha1) != 40 || strspn(sha1, "0123456789abcdef") != 40)
		return bs_error(EINVAL, "image manifest: files.0.sha1: not a SHA-1 in hex");
	if (!json_is_integer(json_object_get(f, "size")) ||
	    json_integer_value(json_object_get(f, "size")) < 0)
		return bs_error(EINVAL, "image manifest: files.0.size: not a size in bytes");
	comp = json_string_value(json_object_get(f, "compression")) ?: "none";
	if (compression_find(comp) < 0)
		return bs_error(EINVAL,
				"image manifest: files.0.compression: must be gzip, bzip2, xz, "
				"zstd or none");
	v = json_object_get(m, "requirements");
	if (v && !json_is_object(v))
		return bs_error(EINVAL, "image manifest: requirements: not an object");
	return 0;
}

/* SHA-1 of a whole file, in hex, and its size. OpenSSL's SHA-1 functions directly, as
 * lib/stor/checksum.c uses its SHA-256 ones: EVP would pull OpenSSL's provider machinery into
 * the statically linked binary. */
static int file_sha1(int fd, char hex[41], uint64_t *ret_size)
{
	unsigned char md[SHA_DIGEST_LENGTH], buf[1 << 16];
	uint64_t size = 0;
	SHA_CTX ctx;
	ssize_t n;

	VERIFY(SHA1_Init(&ctx) == 1);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		VERIFY(SHA1_Update(&ctx, buf, (size_t)n) == 1);
		size += (uint64_t)n;
	}
	VERIFY(SHA1_Final(md, &ctx) == 1);
	for (unsigned i = 0; i < SHA_DIGEST_LENGTH; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	hex[40] = '\0';
	*ret_size = size;
	return 0;
}

static char *image_ds(const char *uuid)
{
	return bs_asprintf("%s/%s", MGMT_POOL, uuid);
}

static int manifest_path(const char *uuid, char **ret)
{
	_cleanup_free_ char *rel = bs_asprintf("images/%s.json", uuid);

	return mgmt_config_path(rel, ret);
}

static int load_manifest(const char *path, json_t **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = bs_read_file(path, &text, &len);
	if (r < 0)
		return r;
	return bs_json_parse(text, path, ret);
}

static int write_json(const char *path, json_t *j)
{
	_cleanup_free_ char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	_cleanup_free_ char *dir = bs_strdup(path);
	int r;

	*strrchr(dir, '/') = '\0';
	r = bs_mkdir_p(dir, 0755);
	if (r < 0)
		return r;
	return bs_write_file_atomic(path, text, strlen(text), 0644);
}

/* Receive the stream in fd (compressed with compressions[comp]) into ds@final. */
static int receive(int fd, int comp, const char *ds)
{
	_cleanup_free_ char *target = bs_asprintf("%s@final", ds);
	const char *argv[] = { "receive", target, NULL };
	int p[2], status, r;
	pid_t pid;

	if (!compressions[comp][2])
		return mgmt_zfs(argv, fd, STDERR_FILENO, NULL);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		dup2(fd, STDIN_FILENO);
		dup2(p[1], STDOUT_FILENO);
		execlp(compressions[comp][2], compressions[comp][2], "-dc", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	r = mgmt_zfs(argv, p[0], STDERR_FILENO, NULL);
	close(p[0]);
	waitpid(pid, &status, 0);
	if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		r = bs_error(EIO, "%s could not decompress the image file", compressions[comp][2]);
	return r;
}

int mgmt_image_install(json_t *m, const char *file)
{
	json_t *f = file0(m);
	const char *uuid, *sha1, *origin;
	_cleanup_free_ char *ds = NULL, *mpath = NULL, *from = NULL;
	_cleanup_close_ int fd = -1;
	char hex[41];
	uint64_t size;
	int r, comp;

	r = mgmt_image_manifest_check(m);
	if (r < 0)
		return r;
	uuid = json_string_value(json_object_get(m, "uuid"));
	ds = image_ds(uuid);
	if (mgmt_zfs_exists(ds))
		return bs_error(EEXIST, "image %s is already installed (dataset %s exists)", uuid,
				ds);
	origin = json_string_value(json_object_get(m, "origin"));
	if (origin) {
		_cleanup_json_ json_t *o = NULL;

		r = mgmt_image_get(origin, &o);
		if (r == -ENOENT)
			return bs_error(
				ENOENT,
				"image %s is incremental on image %s, which is not installed; "
				"install or import it first",
				uuid, origin);
		if (r < 0)
			return r;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bs_error(errno, "cannot open %s: %s", file, strerror(errno));
	r = file_sha1(fd, hex, &size);
	if (r < 0)
		return bs_error(-r, "cannot read %s: %s", file, strerror(-r));
	if (size != (uint64_t)json_integer_value(json_object_get(f, "size")))
		return bs_error(EINVAL, "%s: size %llu does not match the manifest's %lld", file,
				(unsigned long long)size,
				(long long)json_integer_value(json_object_get(f, "size")));
	sha1 = json_string_value(json_object_get(f, "sha1"));
	if (!streq(hex, sha1))
		return bs_error(EINVAL, "%s: sha1 %s does not match the manifest's %s", file, hex,
				sha1);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	comp = compression_find(json_string_value(json_object_get(f, "compression")) ?: "none");
	r = manifest_path(uuid, &mpath);
	if (r < 0)
		return r;
	/* an incremental stream goes into a clone of its origin's @final */
	if (origin) {
		const char *argv[] = { "clone", NULL, ds, NULL };

		from = bs_asprintf("%s/%s@final", MGMT_POOL, origin);
		argv[1] = from;
		r = mgmt_zfs(argv, -1, -1, NULL);
		if (r < 0)
			return r;
	}
	r = receive(fd, comp, ds);
	if (r < 0) {
		/* a receive that failed undid itself; a decompressor that failed, or the clone
		 * of an origin, did not */
		const char *argv[] = { "destroy", "-r", ds, NULL };

		if (mgmt_zfs_exists(ds))
			mgmt_zfs(argv, -1, -1, NULL);
		return r;
	}
	r = write_json(mpath, m);
	if (r < 0) {
		const char *argv[] = { "destroy", "-r", ds, NULL };

		mgmt_zfs(argv, -1, -1, NULL);
		return bs_error(-r, "cannot store the manifest of %s: %s", uuid, strerror(-r));
	}
	return 0;
}

/* ---- sources ---- */

static int sources_path(char **ret)
{
	return mgmt_config_path("sources.json", ret);
}

int mgmt_image_sources(json_t **ret)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = sources_path(&path);
	if (r < 0)
		return r;
	r = load_manifest(path, ret);
	if (r == -ENOENT) {
		*ret = json_array();
		return 0;
	}
	return r;
}

static bool is_url(const char *source)
{
	return strstr(source, "://") != NULL;
}

static int sources_change(const char *arg, bool add)
{
	_cleanup_json_ json_t *s = NULL;
	_cleanup_free_ char *path = NULL, *dir = bs_strdup(arg);
	struct mgmt_http_url u;
	struct stat st;
	size_t i;
	json_t *v;
	int r;

	/* a URL is kept without its trailing slashes: paths are added to it */
	while (is_url(dir) && bs_endswith(dir, "/"))
		dir[strlen(dir) - 1] = '\0';
	if (add && is_url(dir)) {
		r = mgmt_http_url_parse(dir, &u);
		if (r < 0)
			return r;
	} else if (add && dir[0] != '/') {
		return bs_error(EINVAL,
				"a source is an absolute directory path or an http:// URL: %s",
				dir);
	} else if (add && (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		return bs_error(ENOENT, "source %s is not a directory", dir);
	}
	r = mgmt_image_sources(&s);
	if (r >= 0)
		r = sources_path(&path);
	if (r < 0)
		return r;
	json_array_foreach(s, i, v)
		if (streq(json_string_value(v), dir)) {
			if (add)
				return bs_error(EEXIST, "source %s is already configured", dir);
			json_array_remove(s, i);
			return write_json(path, s);
		}
	if (!add)
		return bs_error(ENOENT, "source %s is not configured", dir);
	json_array_append_new(s, json_string(dir));
	return write_json(path, s);
}

int mgmt_image_source_add(const char *dir)
{
	return sources_change(dir, true);
}

int mgmt_image_source_del(const char *dir)
{
	return sources_change(dir, false);
}

/* Each manifest of a source directory: fn(manifest, its path, opaque); a non-zero return of fn
 * ends the walk with that value. Files that are not manifests are passed over. */
static int dir_manifests(const char *dir, int (*fn)(json_t *, const char *, void *), void *opaque)
{
	_cleanup_(closedirp) DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		_cleanup_json_ json_t *m = NULL;
		int r;

		if (!bs_endswith(de->d_name, ".json"))
			continue;
		path = bs_path_join(dir, de->d_name);
		if (load_manifest(path, &m) < 0 || !json_is_object(m))
			continue;
		r = fn(m, path, opaque);
		if (r)
			return r;
	}
	return 0;
}

struct find {
	const char *uuid;
	json_t *m;
	char *file;
};

static int find_one(json_t *m, const char *path, void *opaque)
{
	struct find *f = opaque;
	_cleanup_free_ char *stem = NULL;
	int comp;

	if (!streq(json_string_value(json_object_get(m, "uuid")) ?: "", f->uuid))
		return 0;
	comp = compression_find(json_string_value(json_object_get(file0(m), "compression")) ?:
											      "none");
	if (comp < 0)
		return bs_error(EINVAL, "%s: files.0.compression: unknown", path);
	stem = bs_strdup(path);
	stem[strlen(stem) - strlen(".json")] = '\0';
	f->file = bs_asprintf("%s%s", stem, compressions[comp][1]);
	f->m = json_incref(m);
	return 1;
}

/* The manifest of uuid in source dir, and its file; -ENOENT if the source does not have it. */
static int source_find(const char *dir, const char *uuid, json_t **ret_m, char **ret_file)
{
	struct find f = { .uuid = uuid };
	int r = dir_manifests(dir, find_one, &f);

	if (r < 0)
		return r;
	if (r == 0)
		return -ENOENT;
	*ret_m = f.m;
	*ret_file = f.file;
	return 0;
}

static int avail_one(json_t *m, const char *path, void *opaque)
{
	json_array_append_new(opaque, json_pack("{s:O, s:s}", "manifest", m, "source", path));
	return 0;
}

int mgmt_image_avail(json_t **ret)
{
	_cleanup_json_ json_t *s = NULL, *out = json_array();
	size_t i, k;
	json_t *v, *m;
	int r;

	r = mgmt_image_sources(&s);
	if (r < 0)
		return r;
	json_array_foreach(s, i, v) {
		const char *source = json_string_value(v);
		_cleanup_json_ json_t *list = NULL;

		if (!is_url(source)) {
			r = dir_manifests(source, avail_one, out);
			if (r < 0)
				return bs_error(-r, "source %s: %s", source, strerror(-r));
			continue;
		}
		r = mgmt_image_http_list(source, &list);
		if (r < 0)
			return r;
		json_array_foreach(list, k, m)
			if (json_is_object(m))
				json_array_append_new(out, json_pack("{s:O, s:s}", "manifest", m,
								     "source", source));
	}
	*ret = TAKE_PTR(out);
	return 0;
}
/* Ancestors are imported first; an incremental chain longer than this is refused. */
#define IMPORT_DEPTH 16

static int import_image(const char *uuid, int depth)
{
	_cleanup_json_ json_t *s = NULL, *installed = NULL;
	size_t i;
	json_t *v;
	int r;

	if (!bs_uuid_valid(uuid))
		return bs_error(EINVAL, "'%s' is not a UUID", uuid);
	if (depth > IMPORT_DEPTH)
		return bs_error(ELOOP, "image %s: more than %d origins", uuid, IMPORT_DEPTH);
	r = mgmt_image_sources(&s);
	if (r < 0)
		return r;
	json_array_foreach(s, i, v) {
		const char *source = json_string_value(v), *origin;
		_cleanup_json_ json_t *m = NULL;
		_cleanup_free_ char *file = NULL;

		r = is_url(source) ? mgmt_image_http_fetch(source, uuid, &m, &file) :
				     source_find(source, uuid, &m, &file);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		/* an incremental image needs its origin: from the sources too, when missing */
		origin = json_string_value(json_object_get(m, "origin"));
		if (origin && mgmt_image_get(origin, &installed) == -ENOENT)
			r = import_image(origin, depth + 1);
		if (r >= 0)
			r = mgmt_image_install(m, file);
		if (is_url(source))
			unlink(file);
		return r;
	}
	return bs_error(ENOENT, "image %s is in none of the %zu configured sources", uuid,
			json_array_size(s));
}

int mgmt_image_import(const char *uuid)
{
	return import_image(uuid, 0);
}

/* ---- the installed images ---- */

/* The datasets cloned from POOL/UUID@final, as a JSON array of names. */
static json_t *clones_of(json_t *children, const char *uuid)
{
	_cleanup_free_ char *origin = bs_asprintf("%s/%s@final", MGMT_POOL, uuid);
	json_t *a = json_array(), *c;
	size_t i;

	json_array_foreach(children, i, c)
		if (streq(json_string_value(json_object_get(c, "origin")), origin))
			json_array_append(a, json_object_get(c, "name"));
	return a;
}

static int entry_of(json_t *children, json_t *m, json_t **ret)
{
	const char *uuid = json_string_value(json_object_get(m, "uuid"));
	json_t *clones = clones_of(children, uuid);

	*ret = json_pack("{s:O, s:s, s:I, s:o}", "manifest", m, "zpool", MGMT_POOL, "clones",
			 (json_int_t)json_array_size(clones), "cloned_by", clones);
	return 0;
}

int mgmt_image_list(json_t **ret)
{
	_cleanup_json_ json_t *children = NULL, *list = json_array();
	_cleanup_free_ char *dir = NULL;
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r;

	r = mgmt_zfs_children(&children);
	if (r >= 0)
		r = mgmt_config_path("images", &dir);
	if (r < 0)
		return r;
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		_cleanup_free_ char *path = NULL, *ds = NULL;
		_cleanup_json_ json_t *m = NULL;
		json_t *e, *c;
		bool present = false;
		size_t i;

		if (!bs_endswith(de->d_name, ".json"))
			continue;
		path = bs_path_join(dir, de->d_name);
		if (load_manifest(path, &m) < 0)
			continue;
		ds = image_ds(json_string_value(json_object_get(m, "uuid")) ?: "");
		json_array_foreach(children, i, c)
			present |= streq(json_string_value(json_object_get(c, "name")), ds);
		if (!present)
			continue;
		entry_of(children, m, &e);
		json_array_append_new(list, e);
	}
	*ret = TAKE_PTR(list);
	return 0;
}

int mgmt_image_get(const char *uuid, json_t **ret)
{
	_cleanup_json_ json_t *list = NULL;
	size_t i;
	json_t *e;
	int r;

	r = mgmt_image_list(&list);
	if (r < 0)
		return r;
	json_array_foreach(list, i, e)
		if (streq(json_string_value(json_object_get(json_object_get(e, "manifest"), "uuid")),
			  uuid)) {
			*ret = json_incref(e);
			return 0;
		}
	return bs_error(ENOENT, "image %s is not installed", uuid);
}

static int delete_entry(json_t *e)
{
	const char *uuid =
		json_string_value(json_object_get(json_object_get(e, "manifest"), "uuid"));
	_cleanup_free_ char *ds = image_ds(uuid), *mpath = NULL;
	const char *argv[] = { "destroy", "-r", ds, NULL };
	int r;

	r = manifest_path(uuid, &mpath);
	if (r >= 0)
		r = mgmt_zfs(argv, -1, -1, NULL);
	if (r < 0)
		return r;
	if (unlink(mpath) < 0 && errno != ENOENT)
		return bs_error(errno, "cannot remove %s: %s", mpath, strerror(errno));
	return 0;
}

int mgmt_image_delete(const char *uuid)
{
	_cleanup_json_ json_t *e = NULL;
	json_t *clones;
	int r;

	r = mgmt_image_get(uuid, &e);
	if (r < 0)
		return r;
	clones = json_object_get(e, "cloned_by");
	if (json_array_size(clones) > 0) {
		_cleanup_free_ char *names = bs_strdup("");
		size_t i;
		json_t *c;

		json_array_foreach(clones, i, c) {
			char *t = bs_asprintf("%s%s%s", names, i ? ", " : "", json_string_value(c));

			free(names);
			names = t;
		}
		return bs_error(EBUSY, "image %s has clones: %s; delete them first", uuid, names);
	}
	return delete_entry(e);
}

/* An installed image that nothing is cloned from: no VM, and no image made on it. */
static json_t *unused_image(json_t *list)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
		if (json_integer_value(json_object_get(e, "clones")) == 0)
			return e;
	return NULL;
}

int mgmt_image_vacuum(json_t **ret_deleted)
{
	_cleanup_json_ json_t *deleted = json_array();
	int r;

	/* one at a time, listing again: deleting an image may free the one it was made on */
	for (;;) {
		_cleanup_json_ json_t *list = NULL;
		json_t *e;

		r = mgmt_image_list(&list);
		if (r < 0)
			return r;
		e = unused_image(list);
		if (!e)
			break;
		r = delete_entry(e);
		if (r < 0)
			return r;
		json_array_append(deleted, json_object_get(json_object_get(e, "manifest"), "uuid"));
	}
	*ret_deleted = TAKE_PTR(deleted);
	return 0;
}

int mgmt_image_ancestry(const char *uuid, json_t **ret)
{
	_cleanup_json_ json_t *a = json_array();
	_cleanup_free_ char *cur = bs_strdup(uuid);

	while (cur) {
		_cleanup_json_ json_t *e = NULL;
		const char *origin;
		int r;

		r = mgmt_image_get(cur, &e);
		if (r < 0)
			return r;
		json_array_append_new(a, json_string(cur));
		if (json_array_size(a) > 64)
			return bs_error(ELOOP, "image %s: the origins loop", uuid);
		origin = json_string_value(
			json_object_get(json_object_get(e, "manifest"), "origin"));
		free(cur);
		cur = origin ? bs_strdup(origin) : NULL;
	}
	*ret = TAKE_PTR(a);
	return 0;
}

/* ---- images made of VMs ---- */

/* The disk a kvm VM boots from: the one marked boot, else the first. */
static json_t *boot_disk(json_t *vm)
{
	json_t *disks = json_object_get(vm, "disks"), *d;
	size_t i;

	json_array_foreach(disks, i, d)
		if (json_is_true(json_object_get(d, "boot")))
			return d;
	return json_array_get(disks, 0);
}

/* The size of volume ds in MiB. */
static int volume_mib(const char *ds, uint64_t *ret)
{
	const char *argv[] = { "get", "-H", "-p", "-o", "value", "volsize", ds, NULL };
	_cleanup_free_ char *out = NULL;
	uint64_t bytes;
	int r;

	r = mgmt_zfs(argv, -1, -1, &out);
	if (r < 0)
		return r;
	out[strcspn(out, "\n")] = '\0';
	if (bs_parse_u64(out, &bytes) < 0)
		return bs_error(EIO, "%s: volsize '%s' is not a number", ds, out);
	*ret = bytes >> 20;
	return 0;
}

int mgmt_image_create(const char *vm_uuid, json_t *props, const char *outdir, bool incremental,
		      json_t **ret_manifest)
{
	_cleanup_json_ json_t *vm = NULL, *m = NULL;
	_cleanup_free_ char *ds = NULL, *snap = NULL, *from = NULL, *stem = NULL, *file = NULL;
	_cleanup_free_ char *mfile = NULL;
	_cleanup_close_ int fd = -1;
	const char *image, *name, *version;
	char uuid[BS_UUID_STR], hex[41];
	uint64_t size, mib = 0;
	json_t *disk = NULL;
	bool kvm;
	int r;

	r = mgmt_vm_load(vm_uuid, &vm);
	if (r < 0)
		return r;
	if (!streq(json_string_value(json_object_get(vm, "state")), "stopped"))
		return bs_error(EBUSY, "VM %s is %s; stop it before making an image of it", vm_uuid,
				json_string_value(json_object_get(vm, "state")));
	/* a kvm VM's image is its boot disk, a zvol image; a zone's is its dataset */
	kvm = streq(json_string_value(json_object_get(vm, "brand")), "kvm");
	if (kvm) {
		disk = boot_disk(vm);
		if (!json_is_string(json_object_get(disk, "zfs_filesystem")))
			return bs_error(EINVAL, "VM %s has no disk to make an image of", vm_uuid);
		ds = bs_strdup(json_string_value(json_object_get(disk, "zfs_filesystem")));
		r = volume_mib(ds, &mib);
		if (r < 0)
			return r;
	} else {
		ds = bs_asprintf("%s/%s", MGMT_POOL, vm_uuid);
	}
	name = json_string_value(json_object_get(props, "name"));
	version = json_string_value(json_object_get(props, "version"));
	if (!name || !version)
		return bs_error(EINVAL, "the new image needs a name and a version (name=... "
					"version=...)");
	image = json_string_value(json_object_get(kvm ? disk : vm, "image_uuid"));
	if (incremental && !image)
		return bs_error(EINVAL, "VM %s has no image to be incremental on", vm_uuid);
	bs_uuid_generate(uuid);
	m = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "v", 2, "uuid", uuid, "name",
		      name, "version", version, "type", kvm ? "zvol" : "zone-dataset", "os",
		      "other", "description", "", "requirements", "brand",
		      json_string_value(json_object_get(vm, "brand")));
	if (kvm)
		json_object_set_new(m, "image_size", json_integer((json_int_t)mib));
	json_object_update(m, props);
	json_object_set_new(m, "uuid", json_string(uuid));
	if (incremental)
		json_object_set_new(m, "origin", json_string(image));

	snap = bs_asprintf("%s@image-%s", ds, uuid);
	stem = bs_asprintf("%s/%s-%s", outdir, name, version);
	file = bs_asprintf("%s.zfs", stem);
	mfile = bs_asprintf("%s.json", stem);
	{
		const char *argv[] = { "snapshot", snap, NULL };

		r = mgmt_zfs(argv, -1, -1, NULL);
		if (r < 0)
			return r;
	}
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = bs_error(errno, "cannot create %s: %s", file, strerror(errno));
	} else if (incremental) {
		const char *argv[] = { "send", "-i", NULL, snap, NULL };

		from = bs_asprintf("%s/%s@final", MGMT_POOL, image);
		argv[2] = from;
		r = mgmt_zfs(argv, -1, fd, NULL);
	} else {
		const char *argv[] = { "send", snap, NULL };

		r = mgmt_zfs(argv, -1, fd, NULL);
	}
	{
		const char *argv[] = { "destroy", snap, NULL };

		mgmt_zfs(argv, -1, -1, NULL);
	}
	if (r >= 0 && lseek(fd, 0, SEEK_SET) < 0)
		r = -errno;
	if (r >= 0)
		r = file_sha1(fd, hex, &size);
	if (r >= 0) {
		json_object_set_new(m, "files",
				    json_pack("[{s:s, s:I, s:s}]", "sha1", hex, "size",
					      (json_int_t)size, "compression", "none"));
		r = mgmt_image_manifest_check(m);
	}
	if (r >= 0)
		r = write_json(mfile, m);
	if (r < 0) {
		unlink(file);
		unlink(mfile);
		return r;
	}
	*ret_manifest = TAKE_PTR(m);
	return 0;
}
