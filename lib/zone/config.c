// SPDX-License-Identifier: MIT
/*
 * config.c - a zone's configuration, read from and written to JSON with vmadm's property names
 * (zonename, uuid, zonepath/zoneroot, brand, max_physical_memory, nics, filesystems, devices...),
 * so that
 * vmadm's manifests and zonecfg's files are one format. Every value is checked here, once; the
 * first problem becomes the error, naming the property.
 */
#include <basalt/zone.h>

#include <arpa/inet.h>
#include <ctype.h>

static const char *const brand_names[] = { "joyent", "joyent-minimal", "kvm" };

const char *zone_brand_name(enum zone_brand b)
{
	return brand_names[b];
}

bool zone_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= ZONE_NAME_MAX || !isalnum((unsigned char)name[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("-_.", name[i]))
			return false;
	return true;
}

void zone_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

void zone_config_free(struct zone_config *c)
{
	if (!c)
		return;
	free(c->zonename);
	free(c->alias);
	free(c->uuid);
	free(c->zoneroot);
	free(c->hostname);
	zone_strv_free(c->resolvers);
	zone_strv_free(c->init);
	for (size_t i = 0; i < c->n_nics; i++) {
		free(c->nics[i].interface);
		free(c->nics[i].nic_tag);
		zone_strv_free(c->nics[i].ips);
		zone_strv_free(c->nics[i].gateways);
	}
	free(c->nics);
	for (size_t i = 0; i < c->n_filesystems; i++) {
		free(c->filesystems[i].source);
		free(c->filesystems[i].target);
	}
	free(c->filesystems);
	zone_strv_free(c->devices);
	free(c);
}

void zone_config_freep(struct zone_config **c)
{
	zone_config_free(*c);
	*c = NULL;
}

/* ---- typed getters: each names the property in its error ---- */

static int get_string(json_t *o, const char *key, const char *what, char **ret)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_string(v) || !*json_string_value(v))
		return bs_error(EINVAL, "%s%s: must be a non-empty string", what, key);
	*ret = bs_strdup(json_string_value(v));
	return 0;
}

static int get_u64(json_t *o, const char *key, const char *what, uint64_t min, uint64_t max,
		   uint64_t *ret)
{
	json_t *v = json_object_get(o, key);
	json_int_t n;

	if (!v)
		return 0;
	if (!json_is_integer(v))
		return bs_error(EINVAL, "%s%s: must be an integer", what, key);
	n = json_integer_value(v);
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
		return bs_error(EINVAL, "%s%s: %lld is out of range [%llu, %llu]", what, key,
				(long long)n, (unsigned long long)min, (unsigned long long)max);
	*ret = (uint64_t)n;
	return 0;
}

static int get_bool(json_t *o, const char *key, const char *what, bool *ret)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bs_error(EINVAL, "%s%s: must be true or false", what, key);
	*ret = json_is_true(v);
	return 0;
}

/* An array of non-empty strings, each checked by valid (may be NULL). */
static int get_strv(json_t *o, const char *key, const char *what, bool (*valid)(const char *),
		    char ***ret)
{
	json_t *v = json_object_get(o, key), *e;
	char **strv;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return bs_error(EINVAL, "%s%s: must be an array of strings", what, key);
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || !*json_string_value(e))
			return bs_error(EINVAL, "%s%s: must be an array of strings", what, key);
		if (valid && !valid(json_string_value(e)))
			return bs_error(EINVAL, "%s%s: '%s' is not valid", what, key,
					json_string_value(e));
	}
	strv = bs_zalloc((json_array_size(v) + 1) * sizeof(char *));
	json_array_foreach(v, i, e)
		strv[i] = bs_strdup(json_string_value(e));
	*ret = strv;
	return 0;
}

static bool ipv4_valid(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

/* a.b.c.d/len, len 1..32 */
static bool cidr_valid(const char *s)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	uint64_t len;

	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	return ipv4_valid(buf) && bs_parse_u64(slash + 1, &len) == 0 && len >= 1 && len <= 32;
}

static bool path_valid(const char *s)
{
	return s[0] == '/' && !strstr(s, "/../") && !bs_endswith(s, "/..");
}

static bool hostname_valid(const char *s)
{
	if (strlen(s) > 63)
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			return false;
	return true;
}

static int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)v[i];
	if (mac[0] & 1)
		return -EINVAL; /* multicast */
	return 0;
}

static const char *const config_keys[] = {
	"zonename",
	"alias",
	"uuid",
	"zonepath",
	"zoneroot",
	"brand",
	"hostname",
	"resolvers",
	"init_name",
	"init_args",
	"max_physical_memory",
	"max_swap",
	"max_locked_memory",
	"cpu_cap",
	"cpu_shares",
	"max_lwps",
	"zfs_io_priority",
	"nics",
	"filesystems",
	"uid_map",
	"devices",
	"state",
	"zone_state",
};

static const char *const nic_keys[] = {
	"interface",
	"nic_tag",
	"ips",
	"gateways",
	"mac",
	"mtu",
	"vlan_id",
	"allow_ip_spoofing",
	"allow_mac_spoofing",
};

static int check_keys(json_t *o, const char *what, const char *const *keys, size_t n)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		size_t i;

		for (i = 0; i < n && !streq(keys[i], key); i++)
			;
		if (i == n)
			return bs_error(EINVAL, "%s%s: unknown property", what, key);
	}
	return 0;
}

static int nic_from_json(json_t *o, size_t idx, struct zone_nic *nic)
{
	char what[48];
	_cleanup_free_ char *mac = NULL;
	uint64_t n;
	int r;

	snprintf(what, sizeof(what), "nics[%zu].", idx);
	if (!json_is_object(o))
		return bs_error(EINVAL, "nics[%zu]: must be an object", idx);
	r = check_keys(o, what, nic_keys, ARRAY_SIZE(nic_keys));
	if (r < 0)
		return r;
	r = get_string(o, "interface", what, &nic->interface);
	if (r < 0)
		return r;
	if (!nic->interface)
		nic->interface = bs_asprintf("net%zu", idx);
	else if (strlen(nic->interface) > 15 || !zone_name_valid(nic->interface))
		return bs_error(EINVAL, "%sinterface: '%s' is not a valid interface name", what,
				nic->interface);
	r = get_string(o, "nic_tag", what, &nic->nic_tag);
	if (r < 0)
		return r;
	if (!nic->nic_tag)
		return bs_error(EINVAL, "%snic_tag: is required", what);
	if (strlen(nic->nic_tag) > 8 || !zone_name_valid(nic->nic_tag))
		return bs_error(EINVAL, "%snic_tag: '%s' must be up to 8 letters, digits, - _ .",
				what, nic->nic_tag);
	r = get_strv(o, "ips", what, cidr_valid, &nic->ips);
	if (r < 0)
		return r;
	if (json_array_size(json_object_get(o, "ips")) > 16)
		return bs_error(EINVAL, "%sips: at most 16 addresses", what);
	r = get_strv(o, "gateways", what, ipv4_valid, &nic->gateways);
	if (r < 0)
		return r;
	r = get_string(o, "mac", what, &mac);
	if (r < 0)
		return r;
	if (mac && parse_mac(mac, nic->mac) < 0)
		return bs_error(EINVAL, "%smac: '%s' is not a unicast MAC address", what, mac);
	if (!mac) {
		uint64_t rnd = bs_random_u64();

		nic->mac[0] = 0x02; /* locally administered, unicast */
		for (int i = 1; i < 6; i++)
			nic->mac[i] = (unsigned char)(rnd >> (8 * i));
	}
	n = 0;
	r = get_u64(o, "mtu", what, 576, 9000, &n);
	if (r < 0)
		return r;
	nic->mtu = (unsigned)n;
	n = 0;
	r = get_u64(o, "vlan_id", what, 0, 4094, &n);
	if (r < 0)
		return r;
	nic->vlan_id = (unsigned)n;
	r = get_bool(o, "allow_ip_spoofing", what, &nic->allow_ip_spoofing);
	if (r < 0)
		return r;
	return get_bool(o, "allow_mac_spoofing", what, &nic->allow_mac_spoofing);
}

static int fs_from_json(json_t *o, size_t idx, struct zone_fs *fs)
{
	char what[48];
	json_t *opts, *e;
	size_t i;
	int r;

	snprintf(what, sizeof(what), "filesystems[%zu].", idx);
	if (!json_is_object(o))
		return bs_error(EINVAL, "filesystems[%zu]: must be an object", idx);
	r = get_string(o, "source", what, &fs->source);
	if (r < 0)
		return r;
	r = get_string(o, "target", what, &fs->target);
	if (r < 0)
		return r;
	if (!fs->source || !path_valid(fs->source))
		return bs_error(EINVAL, "%ssource: an absolute path is required", what);
	if (!fs->target || !path_valid(fs->target) || streq(fs->target, "/"))
		return bs_error(EINVAL, "%starget: an absolute path below / is required", what);
	opts = json_object_get(o, "options");
	if (opts && !json_is_array(opts))
		return bs_error(EINVAL, "%soptions: must be an array of strings", what);
	json_array_foreach(opts, i, e) {
		if (json_is_string(e) && streq(json_string_value(e), "ro"))
			fs->readonly = true;
		else if (!json_is_string(e) || !streq(json_string_value(e), "rw"))
			return bs_error(EINVAL, "%soptions: only \"ro\" and \"rw\" are supported",
					what);
	}
	return 0;
}

static int caps_from_json(json_t *j, struct zone_caps *caps)
{
	int r;

	caps->cpu_shares = 100;
	caps->zfs_io_priority = 100;
	r = get_u64(j, "max_physical_memory", "", 16, 1ULL << 30, &caps->max_physical_memory);
	if (r == 0)
		r = get_u64(j, "max_swap", "", 16, 1ULL << 30, &caps->max_swap);
	if (r == 0)
		r = get_u64(j, "max_locked_memory", "", 0, 1ULL << 30, &caps->max_locked_memory);
	if (r == 0)
		r = get_u64(j, "cpu_cap", "", 1, 100000, &caps->cpu_cap);
	if (r == 0)
		r = get_u64(j, "cpu_shares", "", 1, 65535, &caps->cpu_shares);
	if (r == 0)
		r = get_u64(j, "max_lwps", "", 10, 4194304, &caps->max_lwps);
	if (r == 0)
		r = get_u64(j, "zfs_io_priority", "", 1, 1000, &caps->zfs_io_priority);
	if (r < 0)
		return r;
	if (caps->max_swap && caps->max_physical_memory &&
	    caps->max_swap < caps->max_physical_memory)
		return bs_error(EINVAL, "max_swap: %llu is less than max_physical_memory %llu",
				(unsigned long long)caps->max_swap,
				(unsigned long long)caps->max_physical_memory);
	return 0;
}

static int ids_from_json(json_t *j, struct zone_config *c)
{
	json_t *m = json_object_get(j, "uid_map");
	uint64_t base = 0, count = 0;
	int r;

	if (!m)
		return 0;
	if (!json_is_object(m))
		return bs_error(EINVAL, "uid_map: must be an object {\"host\": N, \"count\": N}");
	r = get_u64(m, "host", "uid_map.", 1, UINT32_MAX - 65536, &base);
	if (r == 0)
		r = get_u64(m, "count", "uid_map.", 1, 65536 * 16, &count);
	if (r < 0)
		return r;
	if (!base || !count)
		return bs_error(EINVAL, "uid_map: both host and count are required");
	c->uid_base = (uint32_t)base;
	c->uid_count = (uint32_t)count;
	return 0;
}

static int init_from_json(json_t *j, struct zone_config *c)
{
	_cleanup_free_ char *name = NULL;
	char **args = NULL;
	size_t n = 0;
	int r;

	r = get_string(j, "init_name", "", &name);
	if (r < 0)
		return r;
	r = get_strv(j, "init_args", "", NULL, &args);
	if (r < 0)
		return r;
	if (name && !path_valid(name)) {
		zone_strv_free(args);
		return bs_error(EINVAL, "init_name: an absolute path is required");
	}
	while (args && args[n])
		n++;
	c->init = bs_zalloc((n + 2) * sizeof(char *));
	c->init[0] = name ? TAKE_PTR(name) : bs_strdup("/sbin/init");
	for (size_t i = 0; i < n; i++)
		c->init[i + 1] = args[i];
	free(args);
	return 0;
}

/* name (below /dev/) is, or is under, what every zone's /dev holds already */
static bool own_device(const char *name)
{
	static const char *const own[] = { "null", "zero", "full",    "random", "urandom",
					   "tty",  "ptmx", "console", "pts",	"shm" };

	for (size_t i = 0; i < ARRAY_SIZE(own); i++) {
		size_t n = strlen(own[i]);

		if (!strncmp(name, own[i], n) && (name[n] == '\0' || name[n] == '/'))
			return true;
	}
	return false;
}

/* devices: [{"path": "/dev/..."}...]; that they are character devices of this host is checked
 * when the zone is defined and booted (zone_devices_check), not when a configuration is read. */
static int devices_from_json(json_t *j, struct zone_config *c)
{
	json_t *a = json_object_get(j, "devices"), *e;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > 16)
		return bs_error(EINVAL, "devices: must be an array of at most 16 objects");
	c->devices = bs_zalloc((json_array_size(a) + 1) * sizeof(char *));
	json_array_foreach(a, i, e) {
		char what[32];
		int r;

		snprintf(what, sizeof(what), "devices[%zu].", i);
		if (!json_is_object(e))
			return bs_error(EINVAL, "devices[%zu]: must be an object", i);
		r = check_keys(e, what, (const char *const[]){ "path" }, 1);
		if (r == 0)
			r = get_string(e, "path", what, &c->devices[i]);
		if (r < 0)
			return r;
		if (!c->devices[i] || !bs_startswith(c->devices[i], "/dev/") ||
		    !path_valid(c->devices[i]) || strstr(c->devices[i], "/./") ||
		    strstr(c->devices[i], "//") || bs_endswith(c->devices[i], "/"))
			return bs_error(EINVAL, "%spath: a path under /dev/ is required", what);
		if (own_device(c->devices[i] + 5))
			return bs_error(EINVAL, "%spath: %s is one of every zone's own devices",
					what, c->devices[i]);
		c->n_devices++;
		for (size_t k = 0; k < i; k++)
			if (streq(c->devices[k], c->devices[i]))
				return bs_error(EINVAL, "%spath: '%s' is given twice", what,
						c->devices[i]);
	}
	return 0;
}

/* A kvm zone makes its NICs' taps through /dev/net/tun, which it must hold. */
static int brand_check(const struct zone_config *c)
{
	bool tun = false;

	for (size_t i = 0; i < c->n_devices; i++)
		tun |= streq(c->devices[i], "/dev/net/tun");
	if (c->brand == ZONE_BRAND_KVM && c->n_nics && !tun)
		return bs_error(EINVAL, "devices: a kvm zone with NICs needs /dev/net/tun");
	return 0;
}

static int config_parse(json_t *j, const char *name, struct zone_config *c)
{
	_cleanup_free_ char *brand = NULL, *zonepath = NULL;
	json_t *a, *e;
	size_t i;
	int r;

	if (!json_is_object(j))
		return bs_error(EINVAL, "the configuration must be a JSON object");
	r = check_keys(j, "", config_keys, ARRAY_SIZE(config_keys));
	if (r < 0)
		return r;
	r = get_string(j, "zonename", "", &c->zonename);
	if (r < 0)
		return r;
	if (!c->zonename && name)
		c->zonename = bs_strdup(name);
	if (!c->zonename)
		return bs_error(EINVAL, "zonename: is required");
	if (!zone_name_valid(c->zonename))
		return bs_error(EINVAL,
				"zonename: '%s' must be 1-63 letters, digits, - _ . "
				"starting with a letter or digit",
				c->zonename);
	if (name && !streq(name, c->zonename))
		return bs_error(EINVAL, "zonename: '%s' differs from the zone named '%s'",
				c->zonename, name);
	if ((r = get_string(j, "alias", "", &c->alias)) < 0 ||
	    (r = get_string(j, "uuid", "", &c->uuid)) < 0 ||
	    (r = get_string(j, "zonepath", "", &zonepath)) < 0 ||
	    (r = get_string(j, "zoneroot", "", &c->zoneroot)) < 0 ||
	    (r = get_string(j, "brand", "", &brand)) < 0 ||
	    (r = get_string(j, "hostname", "", &c->hostname)) < 0)
		return r;
	if (c->uuid && !bs_uuid_valid(c->uuid))
		return bs_error(EINVAL, "uuid: '%s' is not a UUID", c->uuid);
	if (!c->uuid) {
		c->uuid = bs_malloc(BS_UUID_STR);
		bs_uuid_generate(c->uuid);
	}
	if (zonepath && !path_valid(zonepath))
		return bs_error(EINVAL, "zonepath: an absolute path is required");
	if (c->zoneroot && !path_valid(c->zoneroot))
		return bs_error(EINVAL, "zoneroot: an absolute path is required");
	if (!c->zoneroot && zonepath)
		c->zoneroot = bs_path_join(zonepath, "root");
	if (!c->zoneroot)
		return bs_error(EINVAL, "zonepath: a zonepath or a zoneroot is required");
	if (!brand || streq(brand, "joyent"))
		c->brand = ZONE_BRAND_JOYENT;
	else if (streq(brand, "joyent-minimal"))
		c->brand = ZONE_BRAND_JOYENT_MINIMAL;
	else if (streq(brand, "kvm"))
		c->brand = ZONE_BRAND_KVM;
	else
		return bs_error(EINVAL, "brand: '%s' is not joyent, joyent-minimal or kvm", brand);
	if (c->hostname && !hostname_valid(c->hostname))
		return bs_error(EINVAL, "hostname: '%s' is not a valid host name", c->hostname);
	if (!c->hostname)
		c->hostname = bs_strdup(c->zonename);
	r = get_strv(j, "resolvers", "", ipv4_valid, &c->resolvers);
	if (r == 0)
		r = init_from_json(j, c);
	if (r == 0)
		r = caps_from_json(j, &c->caps);
	if (r == 0)
		r = ids_from_json(j, c);
	if (r == 0)
		r = devices_from_json(j, c);
	if (r < 0)
		return r;

	a = json_object_get(j, "nics");
	if (a && !json_is_array(a))
		return bs_error(EINVAL, "nics: must be an array");
	if (a && json_array_size(a) > 8)
		return bs_error(EINVAL, "nics: at most 8 NICs");
	c->nics = bs_zalloc((json_array_size(a) + 1) * sizeof(*c->nics));
	json_array_foreach(a, i, e) {
		c->n_nics++;
		r = nic_from_json(e, i, &c->nics[i]);
		if (r < 0)
			return r;
		for (size_t k = 0; k < i; k++)
			if (streq(c->nics[k].interface, c->nics[i].interface))
				return bs_error(EINVAL, "nics[%zu].interface: '%s' is used twice",
						i, c->nics[i].interface);
	}
	a = json_object_get(j, "filesystems");
	if (a && !json_is_array(a))
		return bs_error(EINVAL, "filesystems: must be an array");
	c->filesystems = bs_zalloc((json_array_size(a) + 1) * sizeof(*c->filesystems));
	json_array_foreach(a, i, e) {
		c->n_filesystems++;
		r = fs_from_json(e, i, &c->filesystems[i]);
		if (r < 0)
			return r;
	}
	return brand_check(c);
}

int zone_config_from_json(json_t *j, const char *name, struct zone_config **ret)
{
	_cleanup_zone_config_ struct zone_config *c = bs_zalloc(sizeof(*c));
	int r;

	r = config_parse(j, name, c);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(c);
	return 0;
}

static json_t *strv_to_json(char **v)
{
	json_t *a = json_array();

	for (char **p = v; p && *p; p++)
		json_array_append_new(a, json_string(*p));
	return a;
}

static void set_u64(json_t *o, const char *key, uint64_t v)
{
	if (v)
		json_object_set_new(o, key, json_integer((json_int_t)v));
}

json_t *zone_config_to_json(const struct zone_config *c)
{
	json_t *j = json_object(), *a;
	char mac[18];

	json_object_set_new(j, "zonename", json_string(c->zonename));
	if (c->alias)
		json_object_set_new(j, "alias", json_string(c->alias));
	json_object_set_new(j, "uuid", json_string(c->uuid));
	json_object_set_new(j, "zoneroot", json_string(c->zoneroot));
	json_object_set_new(j, "brand", json_string(zone_brand_name(c->brand)));
	json_object_set_new(j, "hostname", json_string(c->hostname));
	json_object_set_new(j, "resolvers", strv_to_json(c->resolvers));
	json_object_set_new(j, "init_name", json_string(c->init[0]));
	if (c->init[1])
		json_object_set_new(j, "init_args", strv_to_json(c->init + 1));
	set_u64(j, "max_physical_memory", c->caps.max_physical_memory);
	set_u64(j, "max_swap", c->caps.max_swap);
	set_u64(j, "max_locked_memory", c->caps.max_locked_memory);
	set_u64(j, "cpu_cap", c->caps.cpu_cap);
	set_u64(j, "cpu_shares", c->caps.cpu_shares);
	set_u64(j, "max_lwps", c->caps.max_lwps);
	set_u64(j, "zfs_io_priority", c->caps.zfs_io_priority);
	if (c->uid_count)
		json_object_set_new(j, "uid_map",
				    json_pack("{s:I,s:I}", "host", (json_int_t)c->uid_base, "count",
					      (json_int_t)c->uid_count));
	a = json_array();
	for (size_t i = 0; i < c->n_nics; i++) {
		const struct zone_nic *n = &c->nics[i];
		json_t *o = json_object();

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0], n->mac[1],
			 n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
		json_object_set_new(o, "interface", json_string(n->interface));
		json_object_set_new(o, "nic_tag", json_string(n->nic_tag));
		json_object_set_new(o, "ips", strv_to_json(n->ips));
		json_object_set_new(o, "gateways", strv_to_json(n->gateways));
		json_object_set_new(o, "mac", json_string(mac));
		set_u64(o, "mtu", n->mtu);
		set_u64(o, "vlan_id", n->vlan_id);
		json_object_set_new(o, "allow_ip_spoofing", json_boolean(n->allow_ip_spoofing));
		json_object_set_new(o, "allow_mac_spoofing", json_boolean(n->allow_mac_spoofing));
		json_array_append_new(a, o);
	}
	json_object_set_new(j, "nics", a);
	a = json_array();
	for (size_t i = 0; i < c->n_filesystems; i++) {
		const struct zone_fs *f = &c->filesystems[i];

		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:[s]}", "type", "lofs", "source",
						   f->source, "target", f->target, "options",
						   f->readonly ? "ro" : "rw"));
	}
	json_object_set_new(j, "filesystems", a);
	if (c->n_devices) {
		a = json_array();
		for (size_t i = 0; i < c->n_devices; i++)
			json_array_append_new(a, json_pack("{s:s}", "path", c->devices[i]));
		json_object_set_new(j, "devices", a);
	}
	return j;
}

static const char *const settable[] = {
	"max_physical_memory", "max_swap", "max_locked_memory", "cpu_cap",
	"cpu_shares",	       "max_lwps", "zfs_io_priority",
};

int zone_config_set(struct zone_config *c, char *const *assignments, size_t n)
{
	_cleanup_json_ json_t *j = zone_config_to_json(c);
	_cleanup_zone_config_ struct zone_config *nc = NULL;
	int r;

	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(assignments[i], '=');
		size_t len = eq ? (size_t)(eq - assignments[i]) : strlen(assignments[i]);
		char prop[32];
		uint64_t v;
		size_t k;

		snprintf(prop, sizeof(prop), "%.*s", (int)MIN(len, sizeof(prop) - 1),
			 assignments[i]);
		for (k = 0; k < ARRAY_SIZE(settable) && !streq(settable[k], prop); k++)
			;
		if (!eq || k == ARRAY_SIZE(settable) || len >= sizeof(prop))
			return bs_error(EINVAL, "%s: not PROPERTY=VALUE with a resource control",
					assignments[i]);
		if (bs_parse_u64(eq + 1, &v) < 0 || v > INT64_MAX)
			return bs_error(EINVAL, "%s: '%s' is not a non-negative integer", prop,
					eq + 1);
		if (v == 0)
			json_object_del(j, prop);
		else
			json_object_set_new(j, prop, json_integer((json_int_t)v));
	}
	/* checked together: raising max_physical_memory and max_swap is one change */
	r = zone_config_from_json(j, c->zonename, &nc);
	if (r < 0)
		return r;
	c->caps = nc->caps;
	return 0;
}
