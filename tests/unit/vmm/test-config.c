// SPDX-License-Identifier: MIT
/*
 * test-config.c - unit tests of lib/vmm/config.c: the option values of `basalt vmm run` (disks,
 * taps with MACs, consoles), the JSON form with its errors, and the checks against the host.
 */
#include <basalt/base.h>
#include <basalt/vmm.h>

#include <setjmp.h>
#include <cmocka.h>

static void test_disks(void **state)
{
	struct vmm_config c;

	vmm_config_init(&c);
	assert_int_equal(vmm_config_add_disk(&c, "/tmp/a.img"), 0);
	assert_int_equal(vmm_config_add_disk(&c, "/tmp/b.img,ro"), 0);
	assert_int_equal(c.n_disks, 2);
	assert_string_equal(c.disks[0].path, "/tmp/a.img");
	assert_false(c.disks[0].readonly);
	assert_string_equal(c.disks[1].path, "/tmp/b.img");
	assert_true(c.disks[1].readonly);
	assert_int_equal(vmm_config_add_disk(&c, "/tmp/c.img,rw"), -EINVAL);
	assert_int_equal(vmm_config_add_disk(&c, ",ro"), -EINVAL);
	for (int i = 2; i < VMM_MAX_DISKS; i++)
		assert_int_equal(vmm_config_add_disk(&c, "x"), 0);
	assert_int_equal(vmm_config_add_disk(&c, "x"), -E2BIG);
	vmm_config_free(&c);
}

static void test_nets(void **state)
{
	struct vmm_config c;

	vmm_config_init(&c);
	assert_int_equal(vmm_config_add_net(&c, "tap=tap0"), 0);
	assert_string_equal(c.nets[0].tap, "tap0");
	assert_false(c.nets[0].has_mac);
	assert_int_equal(vmm_config_add_net(&c, "tap=tap1,mac=52:54:00:12:34:56"), 0);
	assert_true(c.nets[1].has_mac);
	assert_int_equal(c.nets[1].mac[5], 0x56);
	assert_int_equal(vmm_config_add_net(&c, "mac=52:54:00:12:34:56"), -EINVAL);
	assert_int_equal(vmm_config_add_net(&c, "tap=x,mac=52:54:00:12:34"), -EINVAL);
	assert_int_equal(vmm_config_add_net(&c, "tap=averyveryverylongname"), -EINVAL);
	assert_int_equal(vmm_config_add_net(&c, "tap=a,tap=b"), -EINVAL);
	assert_int_equal(c.n_nets, 2);
	vmm_config_free(&c);
}

static void test_console(void **state)
{
	struct vmm_config c;

	vmm_config_init(&c);
	assert_int_equal(c.console, VMM_CONSOLE_STDIO);
	assert_int_equal(vmm_config_set_console(&c, "unix:/run/x.sock"), 0);
	assert_int_equal(c.console, VMM_CONSOLE_UNIX);
	assert_string_equal(c.console_path, "/run/x.sock");
	assert_int_equal(vmm_config_set_console(&c, "pty"), 0);
	assert_null(c.console_path);
	assert_int_equal(vmm_config_set_console(&c, "unix:"), -EINVAL);
	assert_int_equal(vmm_config_set_console(&c, "serial"), -EINVAL);
	vmm_config_free(&c);
}

static void test_json(void **state)
{
	struct vmm_config c;

	vmm_config_init(&c);
	assert_int_equal(vmm_config_parse_json(&c,
					       "{\"kernel\": \"/k\", \"memory\": 512, \"cpus\": 2, "
					       "\"disks\": [\"/d,ro\"], \"nets\": [\"tap=t0\"], "
					       "\"console\": \"pty\", \"rng\": false, "
					       "\"boot\": \"direct\", \"reboot\": \"restart\", "
					       "\"hugepages\": true, \"confine\": \"1000:100\"}",
					       "test"),
			 0);
	assert_string_equal(c.kernel, "/k");
	assert_int_equal(c.memory_mib, 512);
	assert_int_equal(c.cpus, 2);
	assert_true(c.disks[0].readonly);
	assert_string_equal(c.nets[0].tap, "t0");
	assert_int_equal(c.console, VMM_CONSOLE_PTY);
	assert_false(c.rng);
	assert_int_equal(c.boot, VMM_BOOT_DIRECT);
	assert_true(c.reboot_restart);
	assert_true(c.hugepages);
	assert_true(c.confine);
	assert_int_equal(c.confine_uid, 1000);
	assert_int_equal(c.confine_gid, 100);
	vmm_config_free(&c);

	assert_int_equal(vmm_config_parse_json(&c, "[1]", "test"), -EINVAL);
	assert_int_equal(vmm_config_parse_json(&c, "{\"memory\": -1}", "test"), -EINVAL);
	assert_int_equal(vmm_config_parse_json(&c, "{\"disks\": \"/d\"}", "test"), -EINVAL);
	assert_int_equal(vmm_config_parse_json(&c, "{\"rng\": 1}", "test"), -EINVAL);
	assert_int_equal(vmm_config_parse_json(&c, "{\"cpu\": 1}", "test"), -EINVAL);
	assert_string_equal(bs_error_msg(), "test: unknown key 'cpu'");
	assert_int_equal(vmm_config_parse_json(&c, "{", "test"), -EINVAL);
	vmm_config_free(&c);
}

static void test_check(void **state)
{
	struct vmm_config c;

	vmm_config_init(&c);
	assert_int_equal(vmm_config_check(&c), -EINVAL); /* no kernel */
	c.kernel = bs_strdup("/proc/self/exe");
	assert_int_equal(vmm_config_check(&c), 0);
	c.cpus = 100000;
	assert_int_equal(vmm_config_check(&c), -EINVAL);
	c.cpus = 1;
	c.memory_mib = UINT64_MAX >> 21;
	assert_int_equal(vmm_config_check(&c), -EINVAL);
	c.memory_mib = 64;
	c.initrd = bs_strdup("/nonexistent/initrd");
	assert_int_equal(vmm_config_check(&c), -ENOENT);
	vmm_config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disks),	cmocka_unit_test(test_nets),
		cmocka_unit_test(test_console), cmocka_unit_test(test_json),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
