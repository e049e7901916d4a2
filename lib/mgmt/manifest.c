// SPDX-License-Identifier: MIT
/*
 * manifest.c - a VM's stored manifest: a valid create payload completed with what vmadm decides
 * (uuid, zonename, defaults, NIC names and MACs, the creation time), and the application of an
 * update payload to it (plain properties, set_/remove_ on tags and metadata, add_/update_/remove_
 * on nics and disks). Pure JSON: nothing here touches a zone or a dataset.
 */
#include <basalt/mgmt.h>

#include <arpa/inet.h>
#include <time.h>

/* SmartOS's defaults. */
#define DEFAULT_MEMORY 256 /* MiB, zones */
#define DEFAULT_QUOTA 10   /* GiB */

static void set_default(json_t *m, const char *key, json_t *v)
{
	if (!json_object_get(m, key))
		json_object_set(m, key, v);
	json_decref(v);
}

/* "10.0.0.5" and "255.255.255.0" as "10.0.0.5/24". */
static char *cidr_of(const char *ip, const char *mask)
{
	struct in_addr a = { 0 };
	int len = 24;

	if (mask && inet_pton(AF_INET, mask, &a) == 1)
		len = __builtin_popcount(a.s_addr);
	return bs_asprintf("%s/%d", ip, len);
}

/* Fill in a NIC's interface name, MAC, ips and gateways (from SmartOS's older ip, netmask and
 * gateway), and its primary flag. index: its position among the VM's NICs. */
static void nic_normalize(json_t *nic, size_t index)
{
	json_t *ip = json_object_get(nic, "ip"), *gw = json_object_get(nic, "gateway");

	if (!json_object_get(nic, "interface"))
		json_object_set_new(nic, "interface", json_sprintf("net%zu", index));
	if (!json_object_get(nic, "mac")) {
		uint64_t r = bs_random_u64();

		json_object_set_new(
			nic, "mac",
			json_sprintf("02:%02x:%02x:%02x:%02x:%02x", (unsigned)(r & 0xff),
				     (unsigned)((r >> 8) & 0xff), (unsigned)((r >> 16) & 0xff),
				     (unsigned)((r >> 24) & 0xff), (unsigned)((r >> 32) & 0xff)));
	}
	if (ip && !json_object_get(nic, "ips")) {
		_cleanup_free_ char *c = NULL;
		json_t *mask = json_object_get(nic, "netmask");

		if (streq(json_string_value(ip), "dhcp"))
			c = bs_strdup("dhcp");
		else
			c = cidr_of(json_string_value(ip), mask ? json_string_value(mask) : NULL);
		json_object_set_new(nic, "ips", json_pack("[s]", c));
	}
	if (gw && !json_object_get(nic, "gateways"))
		json_object_set_new(nic, "gateways", json_pack("[O]", gw));
	set_default(nic, "primary", json_boolean(index == 0));
}

static json_t *timestamp_now(void)
{
	char buf[64];
	uint64_t ns = bs_now_ns();
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return json_sprintf("%s.%03uZ", buf, (unsigned)(ns / 1000000 % 1000));
}

int mgmt_manifest_normalize(json_t *payload, json_t **ret)
{
	_cleanup_json_ json_t *m = json_deep_copy(payload);
	enum mgmt_brand brand;
	json_t *nics, *nic;
	size_t i;
	int r;

	r = mgmt_validate(MGMT_CREATE, payload, -1, NULL);
	if (r < 0)
		return r;
	VERIFY0(mgmt_brand_parse(json_string_value(json_object_get(m, "brand")), &brand));
	if (!json_object_get(m, "uuid")) {
		char u[BS_UUID_STR];

		bs_uuid_generate(u);
		json_object_set_new(m, "uuid", json_string(u));
	}
	json_object_set(m, "zonename", json_object_get(m, "uuid"));
	set_default(m, "autoboot", json_true());
	set_default(m, "quota", json_integer(DEFAULT_QUOTA));
	set_default(m, "cpu_shares", json_integer(100));
	set_default(m, "zfs_io_priority", json_integer(100));
	set_default(m, "resolvers", json_array());
	set_default(m, "customer_metadata", json_object());
	set_default(m, "internal_metadata", json_object());
	set_default(m, "tags", json_object());
	set_default(m, "nics", json_array());
	if (brand == MGMT_BRAND_KVM) {
		uint64_t ram = (uint64_t)json_integer_value(json_object_get(m, "ram"));

		set_default(m, "vcpus", json_integer(1));
		set_default(m, "disks", json_array());
		json_object_set_new(m, "max_physical_memory",
				    json_integer((json_int_t)mgmt_kvm_zone_memory(ram)));
	} else {
		set_default(m, "max_physical_memory", json_integer(DEFAULT_MEMORY));
	}
	/* max_swap as SmartOS: at least the memory cap */
	if (!json_object_get(m, "max_swap") ||
	    json_integer_value(json_object_get(m, "max_swap")) <
		    json_integer_value(json_object_get(m, "max_physical_memory")))
		json_object_set(m, "max_swap", json_object_get(m, "max_physical_memory"));
	nics = json_object_get(m, "nics");
	json_array_foreach(nics, i, nic)
		nic_normalize(nic, i);
	json_object_set_new(m, "create_timestamp", timestamp_now());
	*ret = TAKE_PTR(m);
	return 0;
}

static json_t *find_by(json_t *array, const char *key, const char *value, size_t *ret_index)
{
	size_t i;
	json_t *o;

	json_array_foreach(array, i, o) {
		const char *v = json_string_value(json_object_get(o, key));

		if (v && strcasecmp(v, value) == 0) {
			if (ret_index)
				*ret_index = i;
			return o;
		}
	}
	return NULL;
}

/* set_NAME merges into NAME, remove_NAME deletes keys from it. */
static void update_map(json_t *m, json_t *payload, const char *name)
{
	_cleanup_free_ char *set = bs_asprintf("set_%s", name),
			    *rm = bs_asprintf("remove_%s", name);
	json_t *target = json_object_get(m, name), *v;
	size_t i;

	if (!target) {
		target = json_object();
		json_object_set_new(m, name, target);
	}
	if (json_object_get(payload, set))
		json_object_update(target, json_object_get(payload, set));
	json_array_foreach(json_object_get(payload, rm), i, v)
		json_object_del(target, json_string_value(v));
}

/* The next free netN. */
static size_t next_nic_index(json_t *nics)
{
	size_t n = 0;

	for (;;) {
		_cleanup_free_ char *name = bs_asprintf("net%zu", n);

		if (!find_by(nics, "interface", name, NULL))
			return n;
		n++;
	}
}

static int update_list(json_t *list, json_t *changes, const char *key, const char *what)
{
	size_t i;
	json_t *c;

	json_array_foreach(changes, i, c) {
		const char *id = json_string_value(json_object_get(c, key));
		json_t *o = find_by(list, key, id, NULL);

		if (!o)
			return bs_error(ENOENT, "the VM has no %s with %s %s", what, key, id);
		json_object_update(o, c);
	}
	return 0;
}

static int remove_list(json_t *list, json_t *ids, const char *key, const char *what)
{
	size_t i, at;
	json_t *id;

	json_array_foreach(ids, i, id) {
		if (!find_by(list, key, json_string_value(id), &at))
			return bs_error(ENOENT, "the VM has no %s with %s %s", what, key,
					json_string_value(id));
		json_array_remove(list, at);
	}
	return 0;
}

int mgmt_manifest_update(json_t *m, json_t *payload)
{
	enum mgmt_brand brand;
	const char *key;
	json_t *v, *nics;
	size_t i;
	int r;

	r = mgmt_brand_parse(json_string_value(json_object_get(m, "brand")), &brand);
	if (r < 0)
		return bs_error(EINVAL, "the stored manifest has no valid brand");
	r = mgmt_validate(MGMT_UPDATE, payload, (int)brand, NULL);
	if (r < 0)
		return r;
	json_object_foreach(payload, key, v)
		if (!bs_startswith(key, "set_") && !bs_startswith(key, "remove_") &&
		    !bs_startswith(key, "add_") && !bs_startswith(key, "update_"))
			json_object_set(m, key, v);
	update_map(m, payload, "customer_metadata");
	update_map(m, payload, "internal_metadata");
	update_map(m, payload, "tags");

	nics = json_object_get(m, "nics");
	if (!nics) {
		nics = json_array();
		json_object_set_new(m, "nics", nics);
	}
	r = update_list(nics, json_object_get(payload, "update_nics"), "mac", "NIC");
	if (r < 0)
		return r;
	r = remove_list(nics, json_object_get(payload, "remove_nics"), "mac", "NIC");
	if (r < 0)
		return r;
	json_array_foreach(json_object_get(payload, "add_nics"), i, v) {
		json_t *nic = json_deep_copy(v);

		nic_normalize(nic, next_nic_index(nics));
		if (json_array_size(nics) > 0)
			json_object_set_new(nic, "primary", json_false());
		json_array_append_new(nics, nic);
	}
	if (brand == MGMT_BRAND_KVM) {
		json_t *disks = json_object_get(m, "disks");

		r = update_list(disks, json_object_get(payload, "update_disks"), "path", "disk");
		if (r < 0)
			return r;
		r = remove_list(disks, json_object_get(payload, "remove_disks"), "path", "disk");
		if (r < 0)
			return r;
		json_array_foreach(json_object_get(payload, "add_disks"), i, v)
			json_array_append(disks, v);
		if (json_object_get(payload, "ram"))
			json_object_set_new(
				m, "max_physical_memory",
				json_integer((json_int_t)mgmt_kvm_zone_memory(
					(uint64_t)json_integer_value(json_object_get(m, "ram")))));
	}
	if (json_integer_value(json_object_get(m, "max_swap")) <
	    json_integer_value(json_object_get(m, "max_physical_memory")))
		json_object_set(m, "max_swap", json_object_get(m, "max_physical_memory"));
	return 0;
}
