/* SPDX-License-Identifier: MIT */
/*
 * dsl_prop.c - dataset properties: the table of what exists, what values each takes and which
 * are inherited; storage of local values in the dir's props ZAP (as text); lookup through the
 * ancestors for inherited ones; and the full listing with values, raw values and sources that
 * `zfs get` and `zfs list` print. User properties (a name with a colon) are free text, inherited.
 */
#include <time.h>

#include "dsl_impl.h"
#include "recv_resume.h"
#include "zap.h"

enum prop_kind { PK_INDEX, PK_SIZE, PK_BLOCKSIZE, PK_PATH, PK_STRING };
#define T_FS 1u
#define T_VOL 2u

struct prop_desc {
	const char *name;
	enum prop_kind kind;
	const char *def;
	bool inherit;
	unsigned types;
	const char *const *values; /* PK_INDEX */
	bool create_only;
};

static const char *const onoff[] = { "on", "off", NULL };
static const char *const compress_vals[] = { "on", "off", "lz4", "zstd", NULL };
static const char *const checksum_vals[] = { "on", "off", "fletcher4", "sha256", NULL };
static const char *const copies_vals[] = { "1", "2", "3", NULL };
static const char *const canmount_vals[] = { "on", "off", "noauto", NULL };
static const char *const snapdir_vals[] = { "hidden", "visible", NULL };
static const char *const sync_vals[] = { "standard", "always", "disabled", NULL };

static const struct prop_desc props[] = {
	{ "atime", PK_INDEX, "on", true, T_FS, onoff, false },
	{ "canmount", PK_INDEX, "on", false, T_FS, canmount_vals, false },
	{ "checksum", PK_INDEX, "on", true, T_FS | T_VOL, checksum_vals, false },
	{ "compression", PK_INDEX, "lz4", true, T_FS | T_VOL, compress_vals, false },
	{ "copies", PK_INDEX, "1", true, T_FS | T_VOL, copies_vals, false },
	{ "devices", PK_INDEX, "on", true, T_FS, onoff, false },
	{ "exec", PK_INDEX, "on", true, T_FS, onoff, false },
	{ "mountpoint", PK_PATH, NULL, true, T_FS, NULL, false },
	{ "quota", PK_SIZE, "none", false, T_FS, NULL, false },
	{ "readonly", PK_INDEX, "off", true, T_FS | T_VOL, onoff, false },
	{ "recordsize", PK_BLOCKSIZE, "131072", true, T_FS, NULL, false },
	{ "refquota", PK_SIZE, "none", false, T_FS, NULL, false },
	{ "refreservation", PK_SIZE, "none", false, T_FS | T_VOL, NULL, false },
	{ "reservation", PK_SIZE, "none", false, T_FS | T_VOL, NULL, false },
	{ "setuid", PK_INDEX, "on", true, T_FS, onoff, false },
	{ "snapdir", PK_INDEX, "hidden", true, T_FS, snapdir_vals, false },
	{ "sync", PK_INDEX, "standard", true, T_FS | T_VOL, sync_vals, false },
	{ "volblocksize", PK_BLOCKSIZE, "16384", false, T_VOL, NULL, true },
	{ "volsize", PK_SIZE, "0", false, T_VOL, NULL, false },
	{ "xattr", PK_INDEX, "on", true, T_FS, onoff, false },
};

static const char *const readonly_props[] = {
	"available",
	"clones",
	"compressratio",
	"createtxg",
	"creation",
	"guid",
	"logicalreferenced",
	"logicalused",
	"mounted",
	"name",
	"origin",
	"receive_resume_token",
	"referenced",
	"type",
	"used",
	"usedbychildren",
	"usedbydataset",
	"usedbyrefreservation",
	"usedbysnapshots",
	"userrefs",
	"written",
	NULL,
};

static const struct prop_desc *prop_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(props); i++)
		if (streq(props[i].name, name))
			return &props[i];
	return NULL;
}

static bool is_readonly_prop(const char *name)
{
	size_t i;

	for (i = 0; readonly_props[i]; i++)
		if (streq(readonly_props[i], name))
			return true;
	return false;
}

static bool is_user_prop(const char *name)
{
	return strchr(name, ':') != NULL;
}

static unsigned type_bit(enum dmu_objset_type t)
{
	return t == DMU_OST_ZVOL ? T_VOL : T_FS;
}

/* Check and normalise a value; *ret is the text stored. */
static int prop_parse(const struct prop_desc *pd, const char *value, char **ret)
{
	uint64_t n;
	size_t i;

	switch (pd->kind) {
	case PK_INDEX:
		for (i = 0; pd->values[i]; i++)
			if (streq(pd->values[i], value)) {
				*ret = bs_strdup(value);
				return 0;
			}
		{
			char list[256] = "";

			for (i = 0; pd->values[i]; i++) {
				strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
				strncat(list, pd->values[i], sizeof(list) - strlen(list) - 1);
			}
			return bs_error(EINVAL,
					"invalid value '%s' for property '%s': must be one "
					"of %s",
					value, pd->name, list);
		}
	case PK_SIZE:
		if (streq(value, "none") && !streq(pd->name, "volsize")) {
			*ret = bs_strdup("none");
			return 0;
		}
		if (bs_size_parse(value, &n) < 0)
			return bs_error(EINVAL,
					"invalid value '%s' for property '%s': must be a "
					"size%s",
					value, pd->name,
					streq(pd->name, "volsize") ? "" : " or 'none'");
		if (streq(pd->name, "volsize") && n == 0)
			return bs_error(EINVAL,
					"invalid value '%s' for property 'volsize': must "
					"be greater than zero",
					value);
		*ret = bs_asprintf("%llu", (unsigned long long)n);
		return 0;
	case PK_BLOCKSIZE:
		if (bs_size_parse(value, &n) < 0 || n < SPA_MINBLOCKSIZE ||
		    n > (streq(pd->name, "volblocksize") ? 128u << 10 : SPA_MAXBLOCKSIZE) ||
		    !IS_P2(n))
			return bs_error(EINVAL,
					"invalid value '%s' for property '%s': must be a "
					"power of 2 from 512B to %s",
					value, pd->name,
					streq(pd->name, "volblocksize") ? "128K" : "1M");
		*ret = bs_asprintf("%llu", (unsigned long long)n);
		return 0;
	case PK_PATH:
		if (streq(value, "none") || streq(value, "legacy") || value[0] == '/') {
			if (strlen(value) >= 1024)
				return bs_error(ENAMETOOLONG, "mountpoint is too long");
			*ret = bs_strdup(value);
			return 0;
		}
		return bs_error(EINVAL,
				"invalid value '%s' for property 'mountpoint': must be an "
				"absolute path, 'none' or 'legacy'",
				value);
	case PK_STRING:
		*ret = bs_strdup(value);
		return 0;
	}
	return -EINVAL;
}

int dsl_prop_validate(const char *const *list, enum dmu_objset_type type)
{
	size_t i;
	int r;

	for (i = 0; list && list[i]; i++) {
		_cleanup_free_ char *kv = bs_strdup(list[i]), *norm = NULL;
		char *eq = strchr(kv, '=');
		const struct prop_desc *pd;

		if (!eq)
			return bs_error(EINVAL, "invalid property '%s': expected name=value", kv);
		*eq = 0;
		if (is_user_prop(kv))
			continue;
		pd = prop_find(kv);
		if (!pd) {
			if (is_readonly_prop(kv))
				return bs_error(EINVAL, "property '%s' is read-only", kv);
			return bs_error(EINVAL, "invalid property '%s'", kv);
		}
		if (!(pd->types & type_bit(type)))
			return bs_error(EINVAL, "property '%s' does not apply to %s", kv,
					type == DMU_OST_ZVOL ? "volumes" : "filesystems");
		r = prop_parse(pd, eq + 1, &norm);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The value set on a dir (not inherited); -ENOENT if none. */
static int dir_local(struct spa *spa, uint64_t dirobj, const char *prop, char **ret)
{
	struct dsl_dir_phys d;
	char buf[ZAP_MAXVALUELEN + 1];
	size_t len;
	int r;

	r = dsl_dir_read(spa, dirobj, &d);
	if (r < 0)
		return r;
	r = zap_lookup(spa->mos, d.props_obj, prop, buf, ZAP_MAXVALUELEN, &len);
	if (r < 0)
		return r;
	buf[MIN(len, (size_t)ZAP_MAXVALUELEN)] = 0;
	*ret = bs_strdup(buf);
	return 0;
}

/* Effective value and the dir it comes from (0: the default). */
static int prop_lookup(struct dsl_dataset *ds, const char *prop, bool inherit, char **ret_value,
		       uint64_t *ret_from)
{
	struct spa *spa = ds->spa;
	uint64_t dir = ds->phys.dir_obj;
	int r;

	while (dir) {
		struct dsl_dir_phys d;

		r = dir_local(spa, dir, prop, ret_value);
		if (r == 0) {
			*ret_from = dir;
			return 0;
		}
		if (r != -ENOENT)
			return r;
		if (!inherit)
			break;
		r = dsl_dir_read(spa, dir, &d);
		if (r < 0)
			return r;
		dir = d.parent_obj;
	}
	*ret_from = 0;
	return -ENOENT;
}

/* mountpoint: an inherited path gets the relative part of the name appended */
static char *mountpoint_value(struct dsl_dataset *ds, uint64_t *ret_from)
{
	_cleanup_free_ char *name = dsl_dir_name(ds->spa, ds->phys.dir_obj), *v = NULL;
	int r;

	r = prop_lookup(ds, "mountpoint", true, &v, ret_from);
	if (r < 0) {
		*ret_from = 0;
		return bs_asprintf("%s/%s", ds->spa->altroot ? ds->spa->altroot : "", name);
	}
	if (*ret_from != ds->phys.dir_obj && v[0] == '/') {
		_cleanup_free_ char *from = dsl_dir_name(ds->spa, *ret_from);
		const char *rel = name + strlen(from);

		return bs_asprintf("%s%s%s", streq(v, "/") ? "" : v, rel, "");
	}
	return TAKE_PTR(v);
}

int dsl_prop_get_string(dsl_dataset_t *ds, const char *prop, char **ret)
{
	const struct prop_desc *pd = prop_find(prop);
	uint64_t from;
	char *v;
	int r;

	if (streq(prop, "mountpoint")) {
		*ret = mountpoint_value(ds, &from);
		return 0;
	}
	if (!pd && !is_user_prop(prop))
		return bs_error(EINVAL, "invalid property '%s'", prop);
	r = prop_lookup(ds, prop, pd ? pd->inherit : true, &v, &from);
	if (r == -ENOENT) {
		if (!pd)
			return -ENOENT;
		*ret = bs_strdup(pd->def);
		return 0;
	}
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

int dsl_prop_get_u64(dsl_dataset_t *ds, const char *prop, uint64_t *ret)
{
	_cleanup_free_ char *v = NULL;
	int r;

	r = dsl_prop_get_string(ds, prop, &v);
	if (r < 0)
		return r;
	if (streq(v, "none")) {
		*ret = 0;
		return 0;
	}
	return bs_parse_u64(v, ret);
}

/*
 * A quota cannot be set below what the file system already uses, nor a reservation above what it
 * could get: OpenZFS's rules.
 */
static int space_limit_check(dsl_dataset_t *ds, const char *prop, const char *norm)
{
	uint64_t n, used, have, avail, old = 0;
	_cleanup_free_ char *name = NULL;
	bool ref = bs_startswith(prop, "ref");
	int r;

	if (!streq(prop, "quota") && !streq(prop, "refquota") && !streq(prop, "reservation") &&
	    !streq(prop, "refreservation"))
		return 0;
	if (bs_parse_u64(norm, &n) < 0 || n == 0) /* "none" */
		return 0;
	r = ref ? 0 : dsl_dir_used(ds->spa, ds->phys.dir_obj, &used);
	if (r < 0)
		return r;
	if (ref)
		used = streq(prop, "refquota") ? ds->phys.referenced : ds->phys.unique;
	name = dsl_dataset_name(ds);
	if (bs_endswith(prop, "quota")) {
		if (n < used)
			return bs_error(EINVAL,
					"cannot set property for '%s': size is less than "
					"current used or reserved space",
					name);
		return 0;
	}
	(void)dsl_prop_get_u64(ds, prop, &old);
	bs_error_clear();
	have = MAX(old, used);
	if (n <= have)
		return 0;
	r = dsl_dataset_available(ds, &avail);
	if (r < 0)
		return r;
	if (n - have > avail)
		return bs_error(ENOSPC,
				"cannot set property for '%s': size is greater than "
				"available space",
				name);
	return 0;
}

int dsl_prop_set(dsl_dataset_t *ds, const char *prop, const char *value)
{
	const struct prop_desc *pd = prop_find(prop);
	_cleanup_free_ char *norm = NULL;
	struct dsl_dir_phys d;
	int r;

	if (!pd && !is_user_prop(prop)) {
		if (is_readonly_prop(prop))
			return bs_error(EINVAL, "cannot set property '%s': read-only", prop);
		return bs_error(EINVAL, "invalid property '%s'", prop);
	}
	if (dsl_dataset_is_snapshot(ds))
		return bs_error(EINVAL, "cannot set property '%s' on a snapshot", prop);
	if (pd && !(pd->types & type_bit(dsl_dataset_ostype(ds))))
		return bs_error(EINVAL, "property '%s' does not apply to %s", prop,
				dsl_dataset_ostype(ds) == DMU_OST_ZVOL ? "volumes" : "filesystems");
	if (is_user_prop(prop)) {
		if (strlen(prop) >= ZAP_MAXNAMELEN || strlen(value) >= ZAP_MAXVALUELEN)
			return bs_error(ENAMETOOLONG, "user property name or value is too long");
		norm = bs_strdup(value);
	} else {
		r = prop_parse(pd, value, &norm);
		if (r == 0)
			r = space_limit_check(ds, prop, norm);
		if (r < 0)
			return r;
	}
	r = dsl_dir_read(ds->spa, ds->phys.dir_obj, &d);
	if (r < 0)
		return r;
	r = zap_update(ds->spa->mos, d.props_obj, prop, norm, strlen(norm));
	if (r < 0)
		return r;
	ds->spa->prop_gen++;
	dsl_prop_apply(ds);
	return 0;
}

int dsl_prop_inherit(dsl_dataset_t *ds, const char *prop)
{
	const struct prop_desc *pd = prop_find(prop);
	struct dsl_dir_phys d;
	int r;

	if (!pd && !is_user_prop(prop))
		return bs_error(EINVAL, "invalid property '%s'", prop);
	if (pd && streq(pd->name, "volsize"))
		return bs_error(EINVAL, "property 'volsize' cannot be inherited");
	r = dsl_dir_read(ds->spa, ds->phys.dir_obj, &d);
	if (r < 0)
		return r;
	r = zap_remove(ds->spa->mos, d.props_obj, prop);
	if (r < 0 && r != -ENOENT)
		return r;
	ds->spa->prop_gen++;
	dsl_prop_apply(ds);
	return 0;
}

int dsl_prop_internal_get(dsl_dataset_t *ds, const char *name, char **ret)
{
	ASSERT(name[0] == '%');
	return dir_local(ds->spa, ds->phys.dir_obj, name, ret);
}

int dsl_prop_internal_set(dsl_dataset_t *ds, const char *name, const char *value)
{
	struct dsl_dir_phys d;
	int r;

	ASSERT(name[0] == '%');
	if (strlen(value) > ZAP_MAXVALUELEN)
		return -E2BIG;
	r = dsl_dir_read(ds->spa, ds->phys.dir_obj, &d);
	if (r == 0)
		r = zap_update(ds->spa->mos, d.props_obj, name, value, strlen(value));
	return r;
}

int dsl_prop_internal_remove(dsl_dataset_t *ds, const char *name)
{
	struct dsl_dir_phys d;
	int r;

	ASSERT(name[0] == '%');
	r = dsl_dir_read(ds->spa, ds->phys.dir_obj, &d);
	if (r == 0)
		r = zap_remove(ds->spa->mos, d.props_obj, name);
	return r == -ENOENT ? 0 : r;
}

static uint8_t compress_of(const char *v)
{
	if (streq(v, "off"))
		return ZIO_COMPRESS_OFF;
	if (streq(v, "zstd"))
		return ZIO_COMPRESS_ZSTD;
	return ZIO_COMPRESS_LZ4;
}

static uint8_t checksum_of(const char *v)
{
	if (streq(v, "sha256"))
		return ZIO_CKSUM_SHA256;
	if (streq(v, "off"))
		return ZIO_CKSUM_OFF;
	return ZIO_CKSUM_FLETCHER4;
}

void dsl_prop_apply(struct dsl_dataset *ds)
{
	_cleanup_free_ char *c = NULL, *k = NULL;
	uint64_t copies = 1, rs = 128 << 10;

	if (!ds->os)
		return;
	if (dsl_prop_get_string(ds, "compression", &c) == 0)
		ds->os->compress = compress_of(c);
	if (dsl_prop_get_string(ds, "checksum", &k) == 0)
		ds->os->checksum = checksum_of(k);
	if (dsl_prop_get_u64(ds, "copies", &copies) == 0)
		ds->os->copies = (uint8_t)MAX(1, MIN(copies, 3));
	if (dsl_dataset_ostype(ds) == DMU_OST_ZFS && dsl_prop_get_u64(ds, "recordsize", &rs) == 0)
		ds->os->recordsize = (uint32_t)rs;
}

/* ---- the full listing ---- */

static void put(json_t *o, const char *name, const char *value, const char *raw, const char *source)
{
	json_t *p = json_object();

	json_object_set_new(p, "value", json_string(value));
	json_object_set_new(p, "raw", json_string(raw ? raw : value));
	json_object_set_new(p, "source", json_string(source));
	json_object_set_new(o, name, p);
}

static void put_size(json_t *o, const char *name, uint64_t n, const char *source)
{
	char v[BS_SIZE_BUF], raw[24];

	snprintf(raw, sizeof(raw), "%llu", (unsigned long long)n);
	put(o, name, bs_size_format(v, n), raw, source);
}

static void put_u64(json_t *o, const char *name, uint64_t n)
{
	char raw[24];

	snprintf(raw, sizeof(raw), "%llu", (unsigned long long)n);
	put(o, name, raw, raw, "-");
}

static char *source_of(struct dsl_dataset *ds, uint64_t from)
{
	if (from == 0)
		return bs_strdup("default");
	if (from == ds->phys.dir_obj && !dsl_dataset_is_snapshot(ds))
		return bs_strdup("local");
	{
		_cleanup_free_ char *n = dsl_dir_name(ds->spa, from);

		return bs_asprintf("inherited from %s", n);
	}
}

static void put_settable(struct dsl_dataset *ds, json_t *o, const struct prop_desc *pd)
{
	_cleanup_free_ char *v = NULL, *src = NULL;
	uint64_t from = 0, n;
	int r;

	if (streq(pd->name, "mountpoint")) {
		if (dsl_dataset_is_snapshot(ds)) {
			put(o, pd->name, "-", "-", "-");
			return;
		}
		v = mountpoint_value(ds, &from);
		src = source_of(ds, from);
		put(o, pd->name, v, v, src);
		return;
	}
	r = prop_lookup(ds, pd->name, pd->inherit, &v, &from);
	if (r < 0) {
		v = bs_strdup(pd->def);
		from = 0;
	}
	src = source_of(ds, from);
	if (pd->kind == PK_SIZE || pd->kind == PK_BLOCKSIZE) {
		if (streq(v, "none") || (streq(v, "0") && !streq(pd->name, "volsize"))) {
			put(o, pd->name, "none", "0", src);
			return;
		}
		if (bs_parse_u64(v, &n) == 0) {
			put_size(o, pd->name, n, src);
			return;
		}
	}
	put(o, pd->name, v, v, src);
}

static void put_user_props(struct dsl_dataset *ds, json_t *o)
{
	struct spa *spa = ds->spa;
	uint64_t dir = ds->phys.dir_obj;

	while (dir) {
		struct dsl_dir_phys d;
		char name[ZAP_MAXNAMELEN], val[ZAP_MAXVALUELEN + 1];
		uint64_t cookie = 0;
		size_t len;

		if (dsl_dir_read(spa, dir, &d) < 0)
			return;
		while (zap_next(spa->mos, d.props_obj, &cookie, name, val, ZAP_MAXVALUELEN, &len) >
		       0) {
			_cleanup_free_ char *src = NULL;

			if (!is_user_prop(name) || json_object_get(o, name))
				continue;
			val[MIN(len, (size_t)ZAP_MAXVALUELEN)] = 0;
			src = source_of(ds, dir);
			put(o, name, val, val, src);
		}
		dir = d.parent_obj;
	}
}

int dsl_prop_get_all(dsl_dataset_t *ds, json_t **ret)
{
	json_t *o = json_object();
	struct dsl_space sp;
	_cleanup_free_ char *name = dsl_dataset_name(ds);
	bool snap = dsl_dataset_is_snapshot(ds);
	unsigned tb = type_bit(dsl_dataset_ostype(ds));
	char buf[64];
	struct tm tm;
	time_t t;
	size_t i;
	int r;

	r = dsl_dataset_space(ds, &sp);
	if (r < 0) {
		json_decref(o);
		return r;
	}
	put(o, "name", name, name, "-");
	put(o, "type", snap ? "snapshot" : tb == T_VOL ? "volume" : "filesystem", NULL, "-");
	t = (time_t)ds->phys.creation_time;
	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%a %b %e %H:%M %Y", &tm);
	{
		char raw[24];

		snprintf(raw, sizeof(raw), "%llu", (unsigned long long)ds->phys.creation_time);
		put(o, "creation", buf, raw, "-");
	}
	put_size(o, "used", sp.used, "-");
	if (snap) {
		put(o, "available", "-", "-", "-");
	} else {
		put_size(o, "available", sp.available, "-");
		put_size(o, "usedbydataset", sp.usedbydataset, "-");
		put_size(o, "usedbysnapshots", sp.usedbysnapshots, "-");
		put_size(o, "usedbychildren", sp.usedbychildren, "-");
		put_size(o, "usedbyrefreservation", sp.usedbyrefreservation, "-");
	}
	put_size(o, "referenced", sp.referenced, "-");
	put_size(o, "written", sp.written, "-");
	put_size(o, "logicalreferenced", sp.logicalreferenced, "-");
	put_size(o, "logicalused", sp.logicalused, "-");
	snprintf(buf, sizeof(buf), "%.2fx",
		 sp.compressed ? (double)sp.uncompressed / (double)sp.compressed : 1.0);
	put(o, "compressratio", buf, NULL, "-");
	put_u64(o, "guid", ds->phys.guid);
	put_u64(o, "createtxg", ds->phys.creation_txg);
	{
		struct dsl_dir_phys d;
		_cleanup_free_ char *origin = NULL;

		if (!snap && dsl_dir_read(ds->spa, ds->phys.dir_obj, &d) == 0 && d.origin_obj) {
			struct dsl_dataset *od;

			if (dsl_dataset_hold_obj(ds->spa, d.origin_obj, &od) == 0)
				origin = dsl_dataset_name(od);
		}
		put(o, "origin", origin ? origin : "-", NULL, "-");
	}
	if (snap) {
		uint64_t nrefs = 0;

		if (ds->phys.userrefs_obj)
			(void)zap_count(ds->spa->mos, ds->phys.userrefs_obj, &nrefs);
		put_u64(o, "userrefs", nrefs);
	}
	for (i = 0; i < ARRAY_SIZE(props); i++) {
		if (!(props[i].types & tb))
			continue;
		if (snap && !props[i].inherit)
			continue;
		put_settable(ds, o, &props[i]);
	}
	if (!snap) {
		struct recv_resume rs;
		char *token = NULL;

		if (recv_resume_load(ds, &rs) == 0) {
			token = recv_resume_token(&rs);
			recv_resume_clear(&rs);
		}
		put(o, "receive_resume_token", token ? token : "-", NULL, "-");
		free(token);
	}
	put_user_props(ds, o);
	*ret = o;
	return 0;
}
