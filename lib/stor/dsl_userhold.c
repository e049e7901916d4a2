/* SPDX-License-Identifier: MIT */
/*
 * dsl_userhold.c - user holds: named references on a snapshot (zfs hold) that keep it from
 * being destroyed until released. A ZAP on the snapshot maps each tag to the time it was set.
 */
#include "dsl_impl.h"
#include "zap.h"

int dsl_dataset_hold_tag(dsl_dataset_t *snap, const char *tag)
{
	struct spa *spa = snap->spa;
	uint64_t now = bs_now_ns() / 1000000000ull;
	int r;

	if (!*tag || strlen(tag) >= ZAP_MAXNAMELEN)
		return bs_error(EINVAL, "invalid hold tag '%s'", tag);
	if (!snap->phys.userrefs_obj) {
		r = zap_create(spa->mos, DMU_OT_USERREFS, &snap->phys.userrefs_obj);
		if (r == 0)
			r = dsl_dataset_write_phys(snap);
		if (r < 0)
			return r;
	}
	r = zap_add_u64(spa->mos, snap->phys.userrefs_obj, tag, now);
	if (r == -EEXIST) {
		_cleanup_free_ char *n = dsl_dataset_name(snap);

		return bs_error(EEXIST,
				"cannot hold '%s': tag '%s' already exists on this "
				"snapshot",
				n, tag);
	}
	return r;
}

int dsl_dataset_release_tag(dsl_dataset_t *snap, const char *tag)
{
	int r = -ENOENT;

	if (snap->phys.userrefs_obj)
		r = zap_remove(snap->spa->mos, snap->phys.userrefs_obj, tag);
	if (r == -ENOENT) {
		_cleanup_free_ char *n = dsl_dataset_name(snap);

		return bs_error(ESRCH,
				"cannot release hold from snapshot '%s': no such tag on "
				"this dataset",
				n);
	}
	return r;
}

int dsl_dataset_holds(dsl_dataset_t *snap, json_t **ret)
{
	json_t *out = json_array();
	char tag[ZAP_MAXNAMELEN];
	uint64_t cookie = 0, t;
	size_t len;
	int r = 0;

	if (snap->phys.userrefs_obj)
		while ((r = zap_next(snap->spa->mos, snap->phys.userrefs_obj, &cookie, tag, &t,
				     sizeof(t), &len)) > 0) {
			json_t *e = json_object();

			json_object_set_new(e, "tag", json_string(tag));
			json_object_set_new(e, "timestamp", json_integer((json_int_t)t));
			json_array_append_new(out, e);
		}
	if (r < 0) {
		json_decref(out);
		return r;
	}
	*ret = out;
	return 0;
}
