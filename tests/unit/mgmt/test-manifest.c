// SPDX-License-Identifier: MIT
/*
 * test-manifest.c - unit tests of lib/mgmt's validation (every offending property named under
 * SmartOS's error kinds), of a create payload made into a manifest (defaults, NICs), of update
 * payloads applied to it, of the kvm brand's VMM command line and memory cap, of image
 * manifests, and of the metadata server's request parser.
 */
#include <basalt/json.h>
#include <basalt/mgmt.h>
#include <basalt/zone.h>

#include <setjmp.h>
#include <cmocka.h>

#define IMG "\"image_uuid\": \"7b5981c4-1889-11e7-b4c5-3f3bdfc9b88b\""

static json_t *parse(const char *text)
{
	json_t *j = NULL;

	assert_int_equal(bs_json_parse(text, "test", &j), 0);
	return j;
}

/* The errors of validating text, as compact JSON with sorted keys ("" when valid). */
static char *errors_of(enum mgmt_action action, const char *text, int brand)
{
	_cleanup_json_ json_t *p = parse(text), *e = NULL;
	int r = mgmt_validate(action, p, brand, &e);

	if (r == 0)
		return bs_strdup("");
	assert_int_equal(r, -EINVAL);
	return json_dumps(e, JSON_SORT_KEYS | JSON_COMPACT);
}

static void expect_errors(enum mgmt_action action, const char *text, int brand, const char *want)
{
	_cleanup_free_ char *got = errors_of(action, text, brand);

	assert_string_equal(got, want);
}

static void test_valid(void **state)
{
	expect_errors(MGMT_CREATE, "{\"brand\": \"joyent\", " IMG ", \"alias\": \"web\"}", -1, "");
	expect_errors(MGMT_CREATE,
		      "{\"brand\": \"joyent-minimal\", " IMG ", \"max_physical_memory\": 128,"
		      " \"nics\": [{\"nic_tag\": \"admin\", \"ips\": [\"10.0.0.5/24\"],"
		      " \"gateways\": [\"10.0.0.1\"]}], \"customer_metadata\": {\"a\": \"b\"},"
		      " \"tags\": {\"n\": 1, \"b\": true}}",
		      -1, "");
	expect_errors(MGMT_CREATE,
		      "{\"brand\": \"kvm\", \"ram\": 512, \"vcpus\": 2,"
		      " \"disks\": [{\"image_uuid\": \"7b5981c4-1889-11e7-b4c5-3f3bdfc9b88b\","
		      " \"boot\": true}, {\"size\": 1024}]}",
		      -1, "");
	expect_errors(MGMT_UPDATE,
		      "{\"max_physical_memory\": 512, \"set_tags\": {\"a\": \"b\"},"
		      " \"remove_customer_metadata\": [\"x\"]}",
		      MGMT_BRAND_JOYENT, "");
}

static void test_bad_brand(void **state)
{
	expect_errors(MGMT_CREATE, "{\"brand\": \"lx\", " IMG "}", -1, "{\"bad_brand\":\"lx\"}");
	expect_errors(MGMT_CREATE, "{" IMG "}", -1, "{\"missing_properties\":[\"brand\"]}");
}

static void test_every_problem_named(void **state)
{
	_cleanup_json_ json_t *p = NULL, *e = NULL;
	_cleanup_free_ char *msg = NULL;

	expect_errors(MGMT_CREATE,
		      "{\"brand\": \"joyent\", \"ram\": 512, \"color\": \"red\","
		      " \"max_physical_memory\": \"lots\", \"quota\": -1,"
		      " \"nics\": [{\"ips\": [\"10.0.0.300/24\"], \"mac\": \"zz\", \"speed\": 1}]}",
		      -1,
		      "{\"bad_properties\":[\"color\",\"nics.0.speed\",\"ram\"],"
		      "\"bad_values\":[\"max_physical_memory\",\"nics.0.ips\",\"nics.0.mac\","
		      "\"quota\"],"
		      "\"missing_properties\":[\"image_uuid\",\"nics.0.nic_tag\"]}");
	/* the one-line message names them all too */
	p = parse("{\"brand\": \"joyent\", " IMG ", \"cpu_cap\": true, \"vcpus\": 2}");
	assert_int_equal(mgmt_validate(MGMT_CREATE, p, -1, &e), -EINVAL);
	msg = mgmt_validate_message(e);
	assert_string_equal(msg, "invalid payload: bad_properties: vcpus; bad_values: cpu_cap");
	assert_string_equal(bs_error_msg(), msg);
}

static void test_kvm_brand(void **state)
{
	expect_errors(MGMT_CREATE, "{\"brand\": \"kvm\", " IMG ", \"disks\": [{\"boot\": true}]}",
		      -1,
		      "{\"bad_properties\":[\"image_uuid\"],"
		      "\"missing_properties\":[\"disks.0.size\",\"ram\"]}");
}

static void test_update(void **state)
{
	/* create-only properties and unknown ones are bad in an update */
	expect_errors(MGMT_UPDATE, "{\"brand\": \"kvm\", \"nics\": [], \"alias\": 5}",
		      MGMT_BRAND_JOYENT,
		      "{\"bad_properties\":[\"brand\",\"nics\"],\"bad_values\":[\"alias\"]}");
	expect_errors(MGMT_UPDATE, "{\"update_nics\": [{\"ips\": [\"10.0.0.9/24\"]}]}",
		      MGMT_BRAND_JOYENT, "{\"missing_properties\":[\"update_nics.0.mac\"]}");
	expect_errors(MGMT_UPDATE, "{\"ram\": 1024}", MGMT_BRAND_JOYENT,
		      "{\"bad_properties\":[\"ram\"]}");
}

static void test_normalize(void **state)
{
	_cleanup_json_ json_t *p =
		parse("{\"brand\": \"joyent\", " IMG ", \"nics\": ["
		      "{\"nic_tag\": \"admin\", \"ip\": \"10.0.0.5\","
		      " \"netmask\": \"255.255.255.0\", \"gateway\": \"10.0.0.1\"},"
		      "{\"nic_tag\": \"int\", \"ips\": [\"192.168.1.2/16\"]}]}");
	_cleanup_json_ json_t *m = NULL;
	json_t *n0, *n1;
	const char *uuid;

	assert_int_equal(mgmt_manifest_normalize(p, &m), 0);
	uuid = json_string_value(json_object_get(m, "uuid"));
	assert_true(bs_uuid_valid(uuid));
	assert_string_equal(json_string_value(json_object_get(m, "zonename")), uuid);
	assert_true(json_is_true(json_object_get(m, "autoboot")));
	assert_int_equal(json_integer_value(json_object_get(m, "quota")), 10);
	assert_int_equal(json_integer_value(json_object_get(m, "max_physical_memory")), 256);
	assert_int_equal(json_integer_value(json_object_get(m, "max_swap")), 256);
	assert_non_null(json_object_get(m, "create_timestamp"));
	n0 = json_array_get(json_object_get(m, "nics"), 0);
	n1 = json_array_get(json_object_get(m, "nics"), 1);
	assert_string_equal(json_string_value(json_object_get(n0, "interface")), "net0");
	assert_string_equal(json_string_value(json_object_get(n1, "interface")), "net1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(n0, "ips"), 0)),
			    "10.0.0.5/24");
	assert_string_equal(json_string_value(json_array_get(json_object_get(n0, "gateways"), 0)),
			    "10.0.0.1");
	assert_true(json_is_true(json_object_get(n0, "primary")));
	assert_true(json_is_false(json_object_get(n1, "primary")));
	assert_int_equal(strlen(json_string_value(json_object_get(n0, "mac"))), 17);
}

static void test_apply_update(void **state)
{
	_cleanup_json_ json_t *p = parse("{\"brand\": \"joyent\", " IMG ","
					 " \"tags\": {\"a\": 1, \"b\": 2},"
					 " \"customer_metadata\": {\"k\": \"v\"},"
					 " \"nics\": [{\"nic_tag\": \"admin\","
					 " \"mac\": \"02:00:00:00:00:01\"}]}");
	_cleanup_json_ json_t *m = NULL, *u = NULL, *bad = NULL;
	json_t *nics;

	assert_int_equal(mgmt_manifest_normalize(p, &m), 0);
	u = parse(
		"{\"alias\": \"db\", \"max_physical_memory\": 1024, \"set_tags\": {\"c\": 3},"
		" \"remove_tags\": [\"a\"], \"set_customer_metadata\": {\"user-script\": \"x\"},"
		" \"add_nics\": [{\"nic_tag\": \"int\", \"ips\": [\"10.1.0.2/24\"]}],"
		" \"update_nics\": [{\"mac\": \"02:00:00:00:00:01\", \"ips\": [\"10.0.0.7/24\"]}]}");
	assert_int_equal(mgmt_manifest_update(m, u), 0);
	assert_string_equal(json_string_value(json_object_get(m, "alias")), "db");
	assert_int_equal(json_integer_value(json_object_get(m, "max_swap")), 1024);
	assert_null(json_object_get(json_object_get(m, "tags"), "a"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "tags"), "c")), 3);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(m, "customer_metadata"), "user-script")),
			    "x");
	nics = json_object_get(m, "nics");
	assert_int_equal(json_array_size(nics), 2);
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(nics, 1), "interface")), "net1");
	assert_true(json_is_false(json_object_get(json_array_get(nics, 1), "primary")));
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_array_get(nics, 0), "ips"), 0)),
			    "10.0.0.7/24");
	/* removing a NIC the VM does not have names it */
	bad = parse("{\"remove_nics\": [\"02:00:00:00:00:09\"]}");
	assert_int_equal(mgmt_manifest_update(m, bad), -ENOENT);
	assert_string_equal(bs_error_msg(), "the VM has no NIC with mac 02:00:00:00:00:09");
}

static void test_kvm_argv(void **state)
{
	_cleanup_json_ json_t *p =
		parse("{\"brand\": \"kvm\", \"ram\": 512, \"vcpus\": 2,"
		      " \"kernel\": \"/boot/vmlinuz\", \"kernel_args\": \"console=ttyS0\","
		      " \"kernel_boot\": \"direct\","
		      " \"disks\": [{\"size\": 64}],"
		      " \"nics\": [{\"nic_tag\": \"admin\","
		      " \"mac\": \"02:00:00:00:00:02\"}]}");
	_cleanup_json_ json_t *m = NULL;
	char **argv = NULL;
	const char *want[] = { "/basalt",
			       "vmm",
			       "run",
			       "--kernel",
			       "/vm/kernel",
			       "--boot",
			       "direct",
			       "--cmdline",
			       "console=ttyS0",
			       "--memory",
			       "512",
			       "--cpus",
			       "2",
			       "--disk",
			       "/disks/disk0",
			       "--net",
			       "tap=vtap0,mac=02:00:00:00:00:02",
			       "--console",
			       "stdio",
			       "--control",
			       "/vm/control.sock",
			       "--serial2",
			       "unix:/vm/metadata.sock",
			       "--reboot-status",
			       "200",
			       "--confine",
			       NULL };
	size_t i;

	assert_int_equal(mgmt_manifest_normalize(p, &m), 0);
	assert_int_equal(json_integer_value(json_object_get(m, "max_physical_memory")),
			 mgmt_kvm_zone_memory(512));
	assert_true(mgmt_kvm_zone_memory(512) > 512);
	assert_int_equal(mgmt_kvm_argv(m, &argv), 0);
	for (i = 0; want[i]; i++)
		assert_string_equal(argv[i], want[i]);
	assert_null(argv[i]);
	zone_strv_free(argv);
	json_object_del(m, "kernel");
	assert_int_equal(mgmt_kvm_argv(m, &argv), -EINVAL);
}

static void test_image_manifest(void **state)
{
	_cleanup_json_ json_t *ok = parse(
		"{\"v\": 2, \"uuid\": \"7b5981c4-1889-11e7-b4c5-3f3bdfc9b88b\", \"name\": \"b\","
		" \"version\": \"1\", \"type\": \"zone-dataset\", \"os\": \"other\","
		" \"files\": [{\"sha1\": \"3d702cfa81230d20cdfd6ab3ba7f4801bbfde1f9\","
		" \"size\": 10, \"compression\": \"gzip\"}]}");
	static const char *const bad[][2] = {
		{ "type", "\"zfs\"" }, { "uuid", "\"nope\"" }, { "v", "3" },
		{ "origin", "\"x\"" }, { "name", "5" },	       { "requirements", "[]" },
	};

	assert_int_equal(mgmt_image_manifest_check(ok), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		_cleanup_json_ json_t *m = json_deep_copy(ok),
				      *v = json_loads(bad[i][1], JSON_DECODE_ANY, NULL);

		json_object_set(m, bad[i][0], v);
		assert_int_equal(mgmt_image_manifest_check(m), -EINVAL);
		assert_non_null(strstr(bs_error_msg(), bad[i][0]));
	}
	/* a zvol image needs its size */
	json_object_set_new(ok, "type", json_string("zvol"));
	assert_int_equal(mgmt_image_manifest_check(ok), -EINVAL);
	assert_non_null(strstr(bs_error_msg(), "image_size"));
	json_object_set_new(json_array_get(json_object_get(ok, "files"), 0), "compression",
			    json_string("lzma"));
	json_object_set_new(ok, "image_size", json_integer(10));
	assert_int_equal(mgmt_image_manifest_check(ok), -EINVAL);
	assert_non_null(strstr(bs_error_msg(), "files.0.compression"));
}

static int parse_req(const char *s, struct mgmt_mdata_req *q)
{
	return mgmt_mdata_parse(s, strlen(s), q);
}

static void test_mdata_parse(void **state)
{
	struct mgmt_mdata_req q;

	assert_int_equal(parse_req("GET user-script\n", &q), 0);
	assert_int_equal(q.op, MGMT_MDATA_GET);
	assert_int_equal(q.key_len, strlen("user-script"));
	assert_memory_equal(q.key, "user-script", q.key_len);
	assert_int_equal(parse_req("KEYS\n", &q), 0);
	assert_null(q.key);
	/* a key may hold spaces; the length is the last word */
	assert_int_equal(parse_req("PUT my key 5\nhello", &q), 0);
	assert_int_equal(q.op, MGMT_MDATA_PUT);
	assert_memory_equal(q.key, "my key", q.key_len);
	assert_int_equal(q.value_len, 5);
	assert_memory_equal(q.value, "hello", 5);
	/* incomplete: more is needed */
	assert_int_equal(parse_req("GET k", &q), -EAGAIN);
	assert_int_equal(parse_req("PUT k 5\nhel", &q), -EAGAIN);
	/* malformed */
	assert_int_equal(parse_req("FETCH k\n", &q), -EINVAL);
	assert_int_equal(parse_req("GET\n", &q), -EINVAL);
	assert_int_equal(parse_req("KEYS x\n", &q), -EINVAL);
	assert_int_equal(parse_req("PUT k\n", &q), -EINVAL);
	assert_int_equal(parse_req("PUT k 99999999999\n", &q), -EINVAL);
	assert_int_equal(parse_req("PUT  5\nhello", &q), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_bad_brand),
		cmocka_unit_test(test_every_problem_named),
		cmocka_unit_test(test_kvm_brand),
		cmocka_unit_test(test_update),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_apply_update),
		cmocka_unit_test(test_kvm_argv),
		cmocka_unit_test(test_image_manifest),
		cmocka_unit_test(test_mdata_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
