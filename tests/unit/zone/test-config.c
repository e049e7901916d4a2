// SPDX-License-Identifier: MIT
/*
 * test-config.c - unit tests of lib/zone/config.c and store.c: vmadm's properties parsed,
 * defaulted and printed back, each kind of bad value refused with a message naming the
 * property, live-settable caps, and the store's rules (duplicate names and uuids, conflicting
 * IPs, states, listing, deletion) in a state directory of the test's own.
 */
#include <basalt/json.h>
#include <basalt/zone.h>

#include <setjmp.h>
#include <cmocka.h>

static int parse(const char *text, const char *name, struct zone_config **ret)
{
	_cleanup_json_ json_t *j = NULL;

	assert_int_equal(bs_json_parse(text, "test", &j), 0);
	return zone_config_from_json(j, name, ret);
}

static void test_full(void **state)
{
	_cleanup_zone_config_ struct zone_config *c = NULL;

	assert_int_equal(
		parse("{\"zonepath\": \"/zones/web\", \"brand\": \"joyent-minimal\","
		      " \"max_physical_memory\": 512, \"cpu_cap\": 150, \"max_lwps\": 2000,"
		      " \"resolvers\": [\"10.0.0.1\"], \"init_name\": \"/bin/sh\","
		      " \"init_args\": [\"-c\", \"true\"],"
		      " \"nics\": [{\"nic_tag\": \"admin\", \"ips\": [\"10.0.0.5/24\"],"
		      " \"mac\": \"02:00:00:aa:bb:cc\", \"mtu\": 1400}],"
		      " \"filesystems\": [{\"source\": \"/data\", \"target\": \"/d\","
		      " \"options\": [\"ro\"]}]}",
		      "web", &c),
		0);
	assert_string_equal(c->zonename, "web");
	assert_string_equal(c->zoneroot, "/zones/web/root");
	assert_string_equal(c->hostname, "web");
	assert_true(bs_uuid_valid(c->uuid));
	assert_int_equal(c->brand, ZONE_BRAND_JOYENT_MINIMAL);
	assert_int_equal(c->caps.max_physical_memory, 512);
	assert_int_equal(c->caps.cpu_cap, 150);
	assert_int_equal(c->caps.cpu_shares, 100);
	assert_int_equal(c->caps.zfs_io_priority, 100);
	assert_string_equal(c->init[0], "/bin/sh");
	assert_string_equal(c->init[2], "true");
	assert_null(c->init[3]);
	assert_int_equal(c->n_nics, 1);
	assert_string_equal(c->nics[0].interface, "net0");
	assert_int_equal(c->nics[0].mac[5], 0xcc);
	assert_int_equal(c->nics[0].mtu, 1400);
	assert_int_equal(c->n_filesystems, 1);
	assert_true(c->filesystems[0].readonly);
}

static void test_round_trip(void **state)
{
	_cleanup_zone_config_ struct zone_config *c = NULL, *c2 = NULL;
	_cleanup_json_ json_t *a = NULL, *b = NULL;

	assert_int_equal(parse("{\"zonename\": \"a\", \"zoneroot\": \"/r\", \"uid_map\":"
			       " {\"host\": 100000, \"count\": 65536},"
			       " \"nics\": [{\"nic_tag\": \"t\", \"ips\": [\"10.1.1.1/16\"]}]}",
			       NULL, &c),
			 0);
	a = zone_config_to_json(c);
	assert_int_equal(zone_config_from_json(a, "a", &c2), 0);
	b = zone_config_to_json(c2);
	assert_true(json_equal(a, b));
	assert_int_equal(c2->uid_base, 100000);
}

/* A kvm zone's devices: read back in order, printed back, and not checked against the host
 * here (that is zone_devices_check's, at define and boot). */
static void test_devices(void **state)
{
	_cleanup_zone_config_ struct zone_config *c = NULL, *c2 = NULL;
	_cleanup_json_ json_t *a = NULL;

	assert_int_equal(parse("{\"zoneroot\": \"/r\", \"brand\": \"kvm\", \"devices\":"
			       " [{\"path\": \"/dev/kvm\"}, {\"path\": \"/dev/net/tun\"}],"
			       " \"nics\": [{\"nic_tag\": \"t\"}]}",
			       "a", &c),
			 0);
	assert_int_equal(c->brand, ZONE_BRAND_KVM);
	assert_int_equal(c->n_devices, 2);
	assert_string_equal(c->devices[1], "/dev/net/tun");
	assert_null(c->devices[2]);
	a = zone_config_to_json(c);
	assert_int_equal(zone_config_from_json(a, "a", &c2), 0);
	assert_int_equal(c2->n_devices, 2);
	assert_string_equal(c2->devices[0], "/dev/kvm");
	assert_string_equal(zone_brand_name(c2->brand), "kvm");
}

static void test_errors(void **state)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
		{ "{\"zoneroot\": \"/r\", \"cpu_cap\": 0}", "cpu_cap: 0 is out of range" },
		{ "{\"zoneroot\": \"/r\", \"cpu_cap\": \"x\"}", "cpu_cap: must be an integer" },
		{ "{\"zoneroot\": \"/r\", \"max_physical_memory\": 8}", "max_physical_memory: 8" },
		{ "{\"zoneroot\": \"/r\", \"max_swap\": 20, \"max_physical_memory\": 30}",
		  "max_swap: 20 is less than" },
		{ "{\"zoneroot\": \"r\"}", "zoneroot: an absolute path" },
		{ "{}", "zonepath: a zonepath or a zoneroot is required" },
		{ "{\"zoneroot\": \"/r\", \"brand\": \"lx\"}", "brand: 'lx'" },
		{ "{\"zoneroot\": \"/r\", \"x\": 1}", "x: unknown property" },
		{ "{\"zoneroot\": \"/r\", \"uuid\": \"nope\"}", "uuid: 'nope' is not a UUID" },
		{ "{\"zoneroot\": \"/r\", \"nics\": [{}]}", "nics[0].nic_tag: is required" },
		{ "{\"zoneroot\": \"/r\", \"nics\": [{\"nic_tag\": \"t\", \"ips\": [\"1.2.3/8\"]}]}",
		  "nics[0].ips: '1.2.3/8' is not valid" },
		{ "{\"zoneroot\": \"/r\", \"nics\": [{\"nic_tag\": \"t\", \"mac\": \"01:00:00:00:00:01\"}]}",
		  "nics[0].mac" },
		{ "{\"zoneroot\": \"/r\", \"nics\": [{\"nic_tag\": \"t\"}, {\"nic_tag\": \"t\","
		  " \"interface\": \"net0\"}]}",
		  "nics[1].interface: 'net0' is used twice" },
		{ "{\"zoneroot\": \"/r\", \"filesystems\": [{\"source\": \"/a\", \"target\": \"/\"}]}",
		  "filesystems[0].target" },
		{ "{\"zoneroot\": \"/r\", \"uid_map\": {\"host\": 5}}", "uid_map: both" },
		{ "{\"zonename\": \"b\", \"zoneroot\": \"/r\"}",
		  "differs from the zone named 'a'" },
		{ "{\"zoneroot\": \"/r\", \"hostname\": \"a b\"}", "hostname: 'a b'" },
		{ "{\"zoneroot\": \"/r\", \"devices\": {}}", "devices: must be an array" },
		{ "{\"zoneroot\": \"/r\", \"devices\": [\"/dev/kvm\"]}",
		  "devices[0]: must be an object" },
		{ "{\"zoneroot\": \"/r\", \"devices\": [{\"path\": \"/etc/passwd\"}]}",
		  "devices[0].path: a path under /dev/" },
		{ "{\"zoneroot\": \"/r\", \"devices\": [{\"path\": \"/dev/../etc/x\"}]}",
		  "devices[0].path: a path under /dev/" },
		{ "{\"zoneroot\": \"/r\", \"devices\": [{}]}", "devices[0].path: a path" },
		{ "{\"zoneroot\": \"/r\", \"devices\": [{\"path\": \"/dev/pts/0\"}]}",
		  "devices[0].path: /dev/pts/0 is one of every zone's own devices" },
		{ "{\"zoneroot\": \"/r\", \"devices\": [{\"path\": \"/dev/null\"}]}",
		  "devices[0].path: /dev/null is one" },
		{ "{\"zoneroot\": \"/r\", \"devices\": [{\"path\": \"/dev/kvm\", \"mode\": 1}]}",
		  "devices[0].mode: unknown property" },
		{ "{\"zoneroot\": \"/r\", \"devices\": [{\"path\": \"/dev/kvm\"},"
		  " {\"path\": \"/dev/kvm\"}]}",
		  "devices[1].path: '/dev/kvm' is given twice" },
		{ "{\"zoneroot\": \"/r\", \"brand\": \"kvm\", \"nics\": [{\"nic_tag\": \"t\"}]}",
		  "devices: a kvm zone with NICs needs /dev/net/tun" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_zone_config_ struct zone_config *c = NULL;

		assert_int_equal(parse(cases[i].json, "a", &c), -EINVAL);
		assert_null(c);
		if (!strstr(bs_error_msg(), cases[i].msg))
			fail_msg("%s: got '%s', expected '%s'", cases[i].json, bs_error_msg(),
				 cases[i].msg);
	}
}

static void test_set(void **state)
{
	_cleanup_zone_config_ struct zone_config *c = NULL;
	char *const cap200[] = { (char *)"cpu_cap=200" }, *const cap0[] = { (char *)"cpu_cap=0" };
	char *const both[] = { (char *)"max_physical_memory=96", (char *)"max_swap=128" };
	char *const bad[][1] = { { (char *)"max_lwps=5" },
				 { (char *)"max_lwps=-5" },
				 { (char *)"brand=joyent" },
				 { (char *)"cpu_cap" },
				 { (char *)"max_swap=32" } };

	assert_int_equal(parse("{\"zoneroot\": \"/r\", \"cpu_cap\": 50, \"max_physical_memory\":"
			       " 64, \"max_swap\": 64}",
			       "a", &c),
			 0);
	assert_int_equal(zone_config_set(c, cap200, 1), 0);
	assert_int_equal(c->caps.cpu_cap, 200);
	assert_int_equal(zone_config_set(c, cap0, 1), 0);
	assert_int_equal(c->caps.cpu_cap, 0);
	/* one at a time, max_physical_memory=96 alone would exceed max_swap 64 */
	assert_int_equal(zone_config_set(c, both, 2), 0);
	assert_int_equal(c->caps.max_physical_memory, 96);
	assert_int_equal(c->caps.max_swap, 128);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(zone_config_set(c, bad[i], 1), -EINVAL);
	assert_int_equal(c->caps.max_lwps, 0);
	assert_int_equal(c->caps.max_swap, 128);
}

static void test_names(void **state)
{
	assert_true(zone_name_valid("web-1.a_b"));
	assert_false(zone_name_valid(""));
	assert_false(zone_name_valid("-x"));
	assert_false(zone_name_valid("a/b"));
	assert_false(zone_name_valid(
		"0123456789012345678901234567890123456789012345678901234567890123"));
}

static char *root;

static int store_setup(void **state)
{
	char tmpl[] = "/tmp/basalt-test-zone.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	root = bs_strdup(tmpl);
	setenv("BASALT_ROOT", root, 1);
	return 0;
}

static int store_teardown(void **state)
{
	_cleanup_free_ char *cmd = bs_asprintf("rm -rf '%s'", root);

	assert_int_equal(system(cmd), 0);
	free(root);
	return 0;
}

static void define(const char *text, const char *name, int expect)
{
	_cleanup_zone_config_ struct zone_config *c = NULL;

	assert_int_equal(parse(text, name, &c), 0);
	assert_int_equal(zone_store_create(c), expect);
}

static void test_store(void **state)
{
	_cleanup_zone_config_ struct zone_config *c = NULL;
	char **names = NULL;
	enum zone_state st;
	pid_t init;

	define("{\"zoneroot\": \"/r\", \"uuid\": \"4f6c2a34-9f0e-4a7e-8a55-2d3f1c0b9e11\","
	       " \"nics\": [{\"nic_tag\": \"t\", \"ips\": [\"10.1.1.1/24\"]}]}",
	       "a", 0);
	define("{\"zoneroot\": \"/r\"}", "a", -EEXIST);
	define("{\"zoneroot\": \"/r\", \"uuid\": \"4f6c2a34-9f0e-4a7e-8a55-2d3f1c0b9e11\"}", "b",
	       -EEXIST);
	define("{\"zoneroot\": \"/r\", \"nics\": [{\"nic_tag\": \"t\", \"ips\": [\"10.1.1.1/8\"]}]}",
	       "b", -EADDRINUSE);
	define("{\"zoneroot\": \"/r\", \"nics\": [{\"nic_tag\": \"t\", \"ips\": [\"10.1.1.2/8\","
	       " \"10.1.1.2/8\"]}]}",
	       "b", -EADDRINUSE);
	define("{\"zoneroot\": \"/r\"}", "b", 0);
	assert_int_equal(zone_store_list(&names), 0);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_null(names[2]);
	zone_strv_free(names);

	assert_int_equal(zone_state_get("a", &st, &init), 0);
	assert_int_equal(st, ZONE_STATE_CONFIGURED);
	assert_int_equal(init, 0);
	assert_int_equal(zone_store_set_installed("a", true), 0);
	assert_int_equal(zone_state_get("a", &st, NULL), 0);
	assert_int_equal(st, ZONE_STATE_INSTALLED);
	assert_int_equal(zone_store_load("a", &c), 0);
	assert_string_equal(c->nics[0].ips[0], "10.1.1.1/24");
	assert_int_equal(zone_store_load("nosuch", &c), -ENOENT);
	assert_int_equal(zone_state_get("nosuch", &st, NULL), -ENOENT);
	assert_int_equal(zone_store_delete("a"), 0);
	assert_int_equal(zone_store_delete("a"), -ENOENT);
	assert_int_equal(zone_store_load("a", &c), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_store, store_setup, store_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
