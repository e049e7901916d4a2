// SPDX-License-Identifier: MIT
/*
 * validate.c - vmadm's payload validation: one table of the properties a create or update
 * payload may carry, for which brands and actions, of which type and range, and a check that
 * walks the whole payload and collects every problem under SmartOS's error kinds (bad_brand,
 * bad_properties, bad_values, missing_properties), instead of stopping at the first, so that one
 * run of `vmadm validate` names everything that is wrong.
 */
#include <basalt/mgmt.h>

#include <arpa/inet.h>

#define B_J (1 << MGMT_BRAND_JOYENT)
#define B_M (1 << MGMT_BRAND_JOYENT_MINIMAL)
#define B_K (1 << MGMT_BRAND_KVM)
#define B_ZONE (B_J | B_M)
#define B_ALL (B_J | B_M | B_K)

#define A_C (1 << MGMT_CREATE)
#define A_U (1 << MGMT_UPDATE)
#define A_CU (A_C | A_U)

enum kind {
	K_STR,	  /* a string */
	K_UUID,	  /* a uuid */
	K_BOOL,	  /* true or false */
	K_INT,	  /* an integer in [min, max] */
	K_IPV4S,  /* an array of IPv4 addresses */
	K_STRMAP, /* an object of strings (metadata) */
	K_TAGS,	  /* an object of strings, numbers and booleans */
	K_KEYS,	  /* an array of strings (remove_*) */
	K_NICS,	  /* an array of nic objects */
	K_NICUPD, /* an array of nic objects, each with its mac */
	K_MACS,	  /* an array of MAC addresses (remove_nics) */
	K_DISKS,  /* an array of disk objects */
	K_DISKUPD,
	K_PATHS, /* an array of disk paths (remove_disks) */
	K_FSES,	 /* an array of filesystem objects */
	K_STRS,	 /* an array of strings */
};

struct prop {
	const char *name;
	enum kind kind;
	int brands, actions;
	int64_t min, max;
};

/* clang-format off */
static const struct prop props[] = {
	{ "brand",		  K_STR,    B_ALL,  A_C,  0, 0 },
	{ "uuid",		  K_UUID,   B_ALL,  A_C,  0, 0 },
	{ "alias",		  K_STR,    B_ALL,  A_CU, 0, 0 },
	{ "hostname",		  K_STR,    B_ALL,  A_CU, 0, 0 },
	{ "autoboot",		  K_BOOL,   B_ALL,  A_CU, 0, 0 },
	{ "image_uuid",		  K_UUID,   B_ZONE, A_C,  0, 0 },
	{ "max_physical_memory",  K_INT,    B_ALL,  A_CU, 16, 1 << 30 },
	{ "max_swap",		  K_INT,    B_ALL,  A_CU, 16, 1 << 30 },
	{ "max_locked_memory",	  K_INT,    B_ALL,  A_CU, 0, 1 << 30 },
	{ "max_lwps",		  K_INT,    B_ALL,  A_CU, 10, 4194304 },
	{ "cpu_cap",		  K_INT,    B_ALL,  A_CU, 0, 100000 },
	{ "cpu_shares",		  K_INT,    B_ALL,  A_CU, 1, 65535 },
	{ "zfs_io_priority",	  K_INT,    B_ALL,  A_CU, 1, 1000 },
	{ "quota",		  K_INT,    B_ALL,  A_CU, 0, 1 << 20 },
	{ "resolvers",		  K_IPV4S,  B_ALL,  A_CU, 0, 0 },
	{ "nics",		  K_NICS,   B_ALL,  A_C,  0, 0 },
	{ "add_nics",		  K_NICS,   B_ALL,  A_U,  0, 0 },
	{ "update_nics",	  K_NICUPD, B_ALL,  A_U,  0, 0 },
	{ "remove_nics",	  K_MACS,   B_ALL,  A_U,  0, 0 },
	{ "customer_metadata",	  K_STRMAP, B_ALL,  A_C,  0, 0 },
	{ "internal_metadata",	  K_STRMAP, B_ALL,  A_C,  0, 0 },
	{ "tags",		  K_TAGS,   B_ALL,  A_C,  0, 0 },
	{ "set_customer_metadata",	K_STRMAP, B_ALL, A_U, 0, 0 },
	{ "remove_customer_metadata",	K_KEYS,   B_ALL, A_U, 0, 0 },
	{ "set_internal_metadata",	K_STRMAP, B_ALL, A_U, 0, 0 },
	{ "remove_internal_metadata",	K_KEYS,   B_ALL, A_U, 0, 0 },
	{ "set_tags",		  K_TAGS,   B_ALL,  A_U,  0, 0 },
	{ "remove_tags",	  K_KEYS,   B_ALL,  A_U,  0, 0 },
	{ "filesystems",	  K_FSES,   B_ZONE, A_C,  0, 0 },
	{ "delegate_dataset",	  K_BOOL,   B_ZONE, A_C,  0, 0 },
	{ "init_name",		  K_STR,    B_ZONE, A_C,  0, 0 },
	{ "init_args",		  K_STRS,   B_ZONE, A_C,  0, 0 },
	{ "ram",		  K_INT,    B_K,    A_CU, 16, 1 << 30 },
	{ "vcpus",		  K_INT,    B_K,    A_CU, 1, 64 },
	{ "disks",		  K_DISKS,  B_K,    A_C,  0, 0 },
	{ "add_disks",		  K_DISKS,  B_K,    A_U,  0, 0 },
	{ "update_disks",	  K_DISKUPD, B_K,   A_U,  0, 0 },
	{ "remove_disks",	  K_PATHS,  B_K,    A_U,  0, 0 },
	{ "kernel",		  K_STR,    B_K,    A_CU, 0, 0 },
	{ "kernel_args",	  K_STR,    B_K,    A_CU, 0, 0 },
	{ "kernel_boot",	  K_STR,    B_K,    A_CU, 0, 0 },
	{ "initrd",		  K_STR,    B_K,    A_CU, 0, 0 },
};

static const struct prop nic_props[] = {
	{ "interface",		  K_STR,    B_ALL, A_CU, 0, 0 },
	{ "nic_tag",		  K_STR,    B_ALL, A_CU, 0, 0 },
	{ "ip",			  K_STR,    B_ALL, A_CU, 0, 0 },
	{ "netmask",		  K_STR,    B_ALL, A_CU, 0, 0 },
	{ "ips",		  K_STRS,   B_ALL, A_CU, 0, 0 },
	{ "gateway",		  K_STR,    B_ALL, A_CU, 0, 0 },
	{ "gateways",		  K_IPV4S,  B_ALL, A_CU, 0, 0 },
	{ "mac",		  K_STR,    B_ALL, A_CU, 0, 0 },
	{ "vlan_id",		  K_INT,    B_ALL, A_CU, 0, 4094 },
	{ "mtu",		  K_INT,    B_ALL, A_CU, 576, 9000 },
	{ "primary",		  K_BOOL,   B_ALL, A_CU, 0, 0 },
	{ "model",		  K_STR,    B_K,   A_CU, 0, 0 },
	{ "allow_ip_spoofing",	  K_BOOL,   B_ALL, A_CU, 0, 0 },
	{ "allow_mac_spoofing",	  K_BOOL,   B_ALL, A_CU, 0, 0 },
	{ "allow_dhcp_spoofing",  K_BOOL,   B_ALL, A_CU, 0, 0 },
	{ "allow_restricted_traffic", K_BOOL, B_ALL, A_CU, 0, 0 },
};

static const struct prop disk_props[] = {
	{ "image_uuid",		  K_UUID,   B_K, A_C,  0, 0 },
	{ "size",		  K_INT,    B_K, A_CU, 1, 1 << 30 },
	{ "boot",		  K_BOOL,   B_K, A_CU, 0, 0 },
	{ "model",		  K_STR,    B_K, A_CU, 0, 0 },
	{ "path",		  K_STR,    B_K, A_U,  0, 0 },
};

static const struct prop fs_props[] = {
	{ "source",		  K_STR,    B_ZONE, A_C, 0, 0 },
	{ "target",		  K_STR,    B_ZONE, A_C, 0, 0 },
	{ "type",		  K_STR,    B_ZONE, A_C, 0, 0 },
	{ "options",		  K_STRS,   B_ZONE, A_C, 0, 0 },
};
/* clang-format on */

static const char *const brand_names[] = {
	[MGMT_BRAND_JOYENT] = "joyent",
	[MGMT_BRAND_JOYENT_MINIMAL] = "joyent-minimal",
	[MGMT_BRAND_KVM] = "kvm",
};

const char *mgmt_brand_name(enum mgmt_brand b)
{
	return brand_names[b];
}

int mgmt_brand_parse(const char *s, enum mgmt_brand *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(brand_names); i++)
		if (streq(s, brand_names[i])) {
			*ret = (enum mgmt_brand)i;
			return 0;
		}
	return -EINVAL;
}

/* What one check collects. */
struct verrs {
	json_t *obj;
	int brand, action;
};

static void add(struct verrs *e, const char *kind, const char *name)
{
	json_t *a = json_object_get(e->obj, kind);
	size_t i;
	json_t *v;

	if (!a) {
		a = json_array();
		json_object_set_new(e->obj, kind, a);
	}
	json_array_foreach(a, i, v)
		if (streq(json_string_value(v), name))
			return;
	json_array_append_new(a, json_string(name));
}

static bool ipv4_valid(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static bool mac_valid(const char *s)
{
	unsigned char m[6];
	char end;

	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx%c", &m[0], &m[1], &m[2], &m[3], &m[4],
		      &m[5], &end) == 6 &&
	       strlen(s) == 17;
}

/* "10.0.0.5/24", or "dhcp" as SmartOS allows. */
static bool cidr_valid(const char *s)
{
	_cleanup_free_ char *ip = bs_strdup(s);
	char *slash = strchr(ip, '/');
	uint64_t len;

	if (streq(s, "dhcp"))
		return true;
	if (!slash)
		return false;
	*slash = '\0';
	return ipv4_valid(ip) && bs_parse_u64(slash + 1, &len) == 0 && len <= 32;
}

static bool strs_valid(json_t *v, bool (*ok)(const char *))
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return false;
	json_array_foreach(v, i, e)
		if (!json_is_string(e) || (ok && !ok(json_string_value(e))))
			return false;
	return true;
}

static void check_object(struct verrs *e, json_t *o, const char *prefix, const struct prop *tab,
			 size_t n);

/* add(), for the member key of the object named name. */
static void add_member(struct verrs *e, const char *kind, const char *name, const char *key)
{
	_cleanup_free_ char *p = bs_asprintf("%s.%s", name, key);

	add(e, kind, p);
}

/* A string member that must pass ok, if present. */
static void check_member(struct verrs *e, json_t *o, const char *name, const char *key,
			 bool (*ok)(const char *))
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v) && !ok(json_string_value(v)))
		add_member(e, "bad_values", name, key);
}

static bool ip_or_dhcp(const char *s)
{
	return streq(s, "dhcp") || ipv4_valid(s);
}

static bool tag_valid(const char *s)
{
	return s[0] && strlen(s) <= 8;
}

static void check_nic(struct verrs *e, json_t *o, const char *name, bool update)
{
	json_t *ips = json_object_get(o, "ips");

	if (!update && !json_object_get(o, "nic_tag"))
		add_member(e, "missing_properties", name, "nic_tag");
	if (update && !json_object_get(o, "mac"))
		add_member(e, "missing_properties", name, "mac");
	if (ips && !strs_valid(ips, cidr_valid))
		add_member(e, "bad_values", name, "ips");
	check_member(e, o, name, "ip", ip_or_dhcp);
	check_member(e, o, name, "netmask", ipv4_valid);
	check_member(e, o, name, "mac", mac_valid);
	check_member(e, o, name, "nic_tag", tag_valid);
}

static void check_disk(struct verrs *e, json_t *o, const char *name, bool update)
{
	if (update && !json_object_get(o, "path"))
		add_member(e, "missing_properties", name, "path");
	else if (!update && !json_object_get(o, "image_uuid") && !json_object_get(o, "size"))
		add_member(e, "missing_properties", name, "size");
}

/* An array of objects: each checked against tab, its members named PROP.I.KEY, and then, unless
 * it is NULL, by check (given update), with its name PROP.I. */
static void check_objects(struct verrs *e, json_t *v, const char *name, const struct prop *tab,
			  size_t n, void (*check)(struct verrs *, json_t *, const char *, bool),
			  bool update)
{
	size_t i;
	json_t *o;

	if (!json_is_array(v)) {
		add(e, "bad_values", name);
		return;
	}
	json_array_foreach(v, i, o) {
		_cleanup_free_ char *oname = bs_asprintf("%s.%zu", name, i);
		_cleanup_free_ char *prefix = bs_asprintf("%s.", oname);

		if (!json_is_object(o)) {
			add(e, "bad_values", name);
			continue;
		}
		check_object(e, o, prefix, tab, n);
		if (check)
			check(e, o, oname, update);
	}
}

static void check_value(struct verrs *e, const struct prop *p, json_t *v, const char *name)
{
	bool ok = true;
	const char *key;
	json_t *m;

	switch (p->kind) {
	case K_STR:
		ok = json_is_string(v);
		break;
	case K_UUID:
		ok = json_is_string(v) && bs_uuid_valid(json_string_value(v));
		break;
	case K_BOOL:
		ok = json_is_boolean(v);
		break;
	case K_INT:
		ok = json_is_integer(v) && json_integer_value(v) >= p->min &&
		     json_integer_value(v) <= p->max;
		break;
	case K_IPV4S:
		ok = strs_valid(v, ipv4_valid);
		break;
	case K_STRS:
	case K_KEYS:
	case K_PATHS:
		ok = strs_valid(v, NULL);
		break;
	case K_MACS:
		ok = strs_valid(v, mac_valid);
		break;
	case K_STRMAP:
	case K_TAGS:
		ok = json_is_object(v);
		json_object_foreach(v, key, m)
			if (!(json_is_string(m) ||
			      (p->kind == K_TAGS && (json_is_number(m) || json_is_boolean(m))))) {
				add_member(e, "bad_values", name, key);
			}
		break;
	case K_NICS:
	case K_NICUPD:
		check_objects(e, v, name, nic_props, ARRAY_SIZE(nic_props), check_nic,
			      p->kind == K_NICUPD);
		break;
	case K_DISKS:
	case K_DISKUPD:
		check_objects(e, v, name, disk_props, ARRAY_SIZE(disk_props), check_disk,
			      p->kind == K_DISKUPD);
		break;
	case K_FSES:
		check_objects(e, v, name, fs_props, ARRAY_SIZE(fs_props), NULL, false);
		break;
	}
	if (!ok)
		add(e, "bad_values", name);
}

static const struct prop *find(const struct prop *tab, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(tab[i].name, name))
			return &tab[i];
	return NULL;
}

static void check_object(struct verrs *e, json_t *o, const char *prefix, const struct prop *tab,
			 size_t n)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		_cleanup_free_ char *name = bs_asprintf("%s%s", prefix, key);
		const struct prop *p = find(tab, n, key);
		int action = e->action;

		/* the nics of add_nics and the disks of add_disks are created */
		if (*prefix && (bs_startswith(prefix, "add_") || bs_startswith(prefix, "nics.") ||
				bs_startswith(prefix, "disks.")))
			action = MGMT_CREATE;
		if (!p || !(p->brands & (1 << e->brand)) || !(p->actions & (1 << action))) {
			add(e, "bad_properties", name);
			continue;
		}
		check_value(e, p, v, name);
	}
}

static int by_string(json_t *x, json_t *y, void *arg)
{
	return strcmp(json_string_value(x), json_string_value(y));
}

int mgmt_validate(enum mgmt_action action, json_t *payload, int brand, json_t **ret_errors)
{
	_cleanup_json_ json_t *obj = json_object();
	_cleanup_free_ char *msg = NULL;
	struct verrs e = { .obj = obj, .brand = brand, .action = action };
	json_t *b = json_object_get(payload, "brand");
	enum mgmt_brand parsed;

	if (!json_is_object(payload))
		return bs_error(EINVAL, "the payload is not a JSON object");
	if (action == MGMT_CREATE) {
		if (!b) {
			add(&e, "missing_properties", "brand");
		} else if (!json_is_string(b) ||
			   mgmt_brand_parse(json_string_value(b), &parsed) < 0) {
			json_object_set_new(obj, "bad_brand",
					    json_is_string(b) ? json_string(json_string_value(b)) :
								json_string("(not a string)"));
		} else {
			e.brand = (int)parsed;
		}
	}
	if (e.brand >= 0) {
		check_object(&e, payload, "", props, ARRAY_SIZE(props));
		if (action == MGMT_CREATE && e.brand != MGMT_BRAND_KVM &&
		    !json_object_get(payload, "image_uuid"))
			add(&e, "missing_properties", "image_uuid");
		if (action == MGMT_CREATE && e.brand == MGMT_BRAND_KVM &&
		    !json_object_get(payload, "ram"))
			add(&e, "missing_properties", "ram");
		if (e.brand == MGMT_BRAND_JOYENT_MINIMAL && action == MGMT_CREATE &&
		    json_object_get(payload, "init_args") && !json_object_get(payload, "init_name"))
			add(&e, "missing_properties", "init_name");
	}
	if (json_object_size(obj) == 0)
		return 0;
	mgmt_json_sort(json_object_get(obj, "bad_properties"), by_string, NULL);
	mgmt_json_sort(json_object_get(obj, "bad_values"), by_string, NULL);
	mgmt_json_sort(json_object_get(obj, "missing_properties"), by_string, NULL);
	msg = mgmt_validate_message(obj);
	if (ret_errors)
		*ret_errors = json_incref(obj);
	return bs_error(EINVAL, "%s", msg);
}

char *mgmt_validate_message(json_t *errors)
{
	static const char *const kinds[] = { "bad_brand", "bad_properties", "bad_values",
					     "missing_properties" };
	char *s = bs_strdup("invalid payload:"), *t;
	bool first = true;

	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		json_t *v = json_object_get(errors, kinds[k]), *n;
		size_t i;

		if (!v)
			continue;
		t = bs_asprintf("%s%s %s:", s, first ? "" : ";", kinds[k]);
		free(s);
		s = t;
		first = false;
		if (json_is_string(v)) {
			t = bs_asprintf("%s %s", s, json_string_value(v));
			free(s);
			s = t;
			continue;
		}
		json_array_foreach(v, i, n) {
			t = bs_asprintf("%s%s %s", s, i ? "," : "", json_string_value(n));
			free(s);
			s = t;
		}
	}
	return s;
}
