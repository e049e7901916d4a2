// SPDX-License-Identifier: MIT
/*
 * config.c - a VM's configuration: defaults, the option values of `basalt vmm run` (disks,
 * taps, console), the same settings as a JSON file, and the checks against the host (files
 * readable or writable, no more vCPUs or memory than the host has) that turn a bad
 * configuration into one line before anything is built.
 */
#include <fcntl.h>
#include <sys/sysinfo.h>

#include <basalt/json.h>

#include "vmm_impl.h"

void vmm_config_init(struct vmm_config *c)
{
	*c = (struct vmm_config){
		.memory_mib = 256,
		.cpus = 1,
		.rng = true,
		.console = VMM_CONSOLE_STDIO,
		.confine_uid = 65534,
		.confine_gid = 65534,
	};
}

void vmm_config_free(struct vmm_config *c)
{
	free(c->kernel);
	free(c->initrd);
	free(c->cmdline);
	free(c->console_path);
	free(c->control);
	free(c->serial2_path);
	for (unsigned int i = 0; i < c->n_disks; i++)
		free(c->disks[i].path);
	for (unsigned int i = 0; i < c->n_nets; i++)
		free(c->nets[i].tap);
	vmm_config_init(c);
}

int vmm_config_add_disk(struct vmm_config *c, const char *spec)
{
	struct vmm_disk_config *d;
	const char *comma = strchr(spec, ',');
	size_t n = comma ? (size_t)(comma - spec) : strlen(spec);

	if (c->n_disks == VMM_MAX_DISKS)
		return bs_error(E2BIG, "at most %d disks", VMM_MAX_DISKS);
	if (n == 0)
		return bs_error(EINVAL, "disk '%s': no file named", spec);
	if (comma && !streq(comma, ",ro"))
		return bs_error(EINVAL, "disk '%s': the only option is ',ro'", spec);
	d = &c->disks[c->n_disks++];
	d->path = strndup(spec, n);
	if (!d->path)
		abort();
	d->readonly = comma != NULL;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

int vmm_config_add_net(struct vmm_config *c, const char *spec)
{
	_cleanup_free_ char *copy = bs_strdup(spec);
	struct vmm_net_config n = { 0 };
	char *save = NULL;

	if (c->n_nets == VMM_MAX_NETS)
		return bs_error(E2BIG, "at most %d network interfaces", VMM_MAX_NETS);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (bs_startswith(t, "tap=") && t[4] && strlen(t + 4) < 16 && !n.tap) {
			n.tap = bs_strdup(t + 4);
		} else if (bs_startswith(t, "mac=") && parse_mac(t + 4, n.mac) == 0) {
			n.has_mac = true;
		} else {
			free(n.tap);
			return bs_error(EINVAL,
					"network '%s': expected tap=NAME[,mac=XX:XX:XX:XX:XX:XX]",
					spec);
		}
	}
	if (!n.tap)
		return bs_error(EINVAL, "network '%s': no tap=NAME", spec);
	c->nets[c->n_nets++] = n;
	return 0;
}

int vmm_config_set_console(struct vmm_config *c, const char *spec)
{
	free(c->console_path);
	c->console_path = NULL;
	if (streq(spec, "stdio")) {
		c->console = VMM_CONSOLE_STDIO;
	} else if (streq(spec, "pty")) {
		c->console = VMM_CONSOLE_PTY;
	} else if (streq(spec, "none")) {
		c->console = VMM_CONSOLE_NONE;
	} else if (bs_startswith(spec, "unix:") && spec[5]) {
		c->console = VMM_CONSOLE_UNIX;
		c->console_path = bs_strdup(spec + 5);
	} else {
		return bs_error(EINVAL, "console '%s': expected stdio, pty, none or unix:PATH",
				spec);
	}
	return 0;
}

int vmm_config_set_serial2(struct vmm_config *c, const char *spec)
{
	if (!bs_startswith(spec, "unix:") || !spec[5])
		return bs_error(EINVAL, "serial2 '%s': expected unix:PATH", spec);
	free(c->serial2_path);
	c->serial2_path = bs_strdup(spec + 5);
	return 0;
}

static int json_str(json_t *o, const char *key, char **dst)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_string(v))
		return bs_error(EINVAL, "config: '%s' must be a string", key);
	free(*dst);
	*dst = bs_strdup(json_string_value(v));
	return 0;
}

static int json_uint(json_t *o, const char *key, uint64_t *dst)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return bs_error(EINVAL, "config: '%s' must be a positive integer", key);
	*dst = (uint64_t)json_integer_value(v);
	return 0;
}

static int json_bool(json_t *o, const char *key, bool *dst, const char *what)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bs_error(EINVAL, "%s: '%s' must be true or false", what, key);
	*dst = json_is_true(v);
	return 0;
}

static int json_list(struct vmm_config *c, json_t *o, const char *key,
		     int (*add)(struct vmm_config *, const char *))
{
	json_t *v = json_object_get(o, key), *e;
	size_t i;
	int r;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return bs_error(EINVAL, "config: '%s' must be a list of strings", key);
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return bs_error(EINVAL, "config: '%s' must be a list of strings", key);
		r = add(c, json_string_value(e));
		if (r < 0)
			return r;
	}
	return 0;
}

int vmm_config_parse_json(struct vmm_config *c, const char *text, const char *what)
{
	static const char *const keys[] = { "kernel", "initrd", "cmdline", "memory",   "cpus",
					    "disks",  "nets",	"console", "control",  "rng",
					    "boot",   "reboot", "confine", "hugepages" };
	_cleanup_json_ json_t *j = NULL;
	_cleanup_free_ char *console = NULL, *boot = NULL, *reboot = NULL, *confine = NULL;
	_cleanup_free_ char *serial2 = NULL;
	uint64_t cpus = c->cpus;
	const char *key;
	json_t *v;
	int r;

	r = bs_json_parse(text, what, &j);
	if (r < 0)
		return r;
	if (!json_is_object(j))
		return bs_error(EINVAL, "%s: expected a JSON object", what);
	json_object_foreach(j, key, v) {
		bool known = streq(key, "serial2");

		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			known |= streq(key, keys[i]);
		if (!known)
			return bs_error(EINVAL, "%s: unknown key '%s'", what, key);
	}
	if ((r = json_str(j, "kernel", &c->kernel)) < 0 ||
	    (r = json_str(j, "initrd", &c->initrd)) < 0 ||
	    (r = json_str(j, "cmdline", &c->cmdline)) < 0 ||
	    (r = json_str(j, "control", &c->control)) < 0 ||
	    (r = json_str(j, "console", &console)) < 0 || (r = json_str(j, "boot", &boot)) < 0 ||
	    (r = json_str(j, "reboot", &reboot)) < 0 ||
	    (r = json_str(j, "confine", &confine)) < 0 ||
	    (r = json_str(j, "serial2", &serial2)) < 0 ||
	    (r = json_uint(j, "memory", &c->memory_mib)) < 0 ||
	    (r = json_uint(j, "cpus", &cpus)) < 0 ||
	    (r = json_list(c, j, "disks", vmm_config_add_disk)) < 0 ||
	    (r = json_list(c, j, "nets", vmm_config_add_net)) < 0)
		return r;
	c->cpus = (unsigned int)MIN(cpus, UINT32_MAX);
	if ((r = json_bool(j, "rng", &c->rng, what)) < 0 ||
	    (r = json_bool(j, "hugepages", &c->hugepages, what)) < 0)
		return r;
	if (console && (r = vmm_config_set_console(c, console)) < 0)
		return r;
	if (boot && (r = vmm_config_set_boot(c, boot)) < 0)
		return r;
	if (reboot && (r = vmm_config_set_reboot(c, reboot)) < 0)
		return r;
	if (confine && (r = vmm_config_set_confine(c, confine)) < 0)
		return r;
	if (serial2 && (r = vmm_config_set_serial2(c, serial2)) < 0)
		return r;
	return 0;
}

int vmm_config_set_confine(struct vmm_config *c, const char *spec)
{
	unsigned int uid, gid;
	char end;
	int n = sscanf(spec, "%u:%u%c", &uid, &gid, &end);

	if (n == 1 && sscanf(spec, "%u%c", &uid, &end) == 1)
		gid = uid;
	else if (n != 2)
		return bs_error(EINVAL, "confine '%s': expected UID[:GID]", spec);
	c->confine = true;
	c->confine_uid = uid;
	c->confine_gid = gid;
	return 0;
}

int vmm_config_set_boot(struct vmm_config *c, const char *spec)
{
	if (streq(spec, "auto"))
		c->boot = VMM_BOOT_AUTO;
	else if (streq(spec, "direct"))
		c->boot = VMM_BOOT_DIRECT;
	else
		return bs_error(EINVAL, "boot '%s': expected auto or direct", spec);
	return 0;
}

int vmm_config_set_reboot(struct vmm_config *c, const char *spec)
{
	if (streq(spec, "exit"))
		c->reboot_restart = false;
	else if (streq(spec, "restart"))
		c->reboot_restart = true;
	else
		return bs_error(EINVAL, "reboot '%s': expected exit or restart", spec);
	return 0;
}

static int check_file(const char *what, const char *path, int mode)
{
	if (access(path, mode) < 0)
		return bs_error(errno, "%s '%s': %s", what, path, strerror(errno));
	return 0;
}

int vmm_config_check(const struct vmm_config *c)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct sysinfo si;
	int r;

	if (!c->kernel)
		return bs_error(EINVAL, "no kernel given: use --kernel FILE");
	if ((r = check_file("kernel", c->kernel, R_OK)) < 0)
		return r;
	if (c->initrd && (r = check_file("initrd", c->initrd, R_OK)) < 0)
		return r;
	for (unsigned int i = 0; i < c->n_disks; i++) {
		r = check_file("disk", c->disks[i].path, c->disks[i].readonly ? R_OK : R_OK | W_OK);
		if (r < 0)
			return r;
	}
	if (c->cpus == 0 || c->cpus > VMM_MAX_CPUS || (ncpu > 0 && c->cpus > (unsigned long)ncpu))
		return bs_error(EINVAL, "%u vCPUs asked for; this host has %ld CPUs (at most %d)",
				c->cpus, ncpu, VMM_MAX_CPUS);
	if (sysinfo(&si) == 0 && c->memory_mib > (uint64_t)si.totalram * si.mem_unit >> 20)
		return bs_error(EINVAL,
				"%" PRIu64 " MiB of memory asked for; this host has %" PRIu64
				" MiB",
				c->memory_mib, (uint64_t)si.totalram * si.mem_unit >> 20);
	if (c->memory_mib < 2)
		return bs_error(EINVAL, "a guest needs at least 2 MiB of memory");
	if (c->hugepages && c->memory_mib % 2)
		return bs_error(EINVAL, "with huge pages, memory must be a multiple of 2 MiB");
	if (c->console == VMM_CONSOLE_UNIX && strlen(c->console_path) >= 108)
		return bs_error(ENAMETOOLONG, "console socket path too long");
	if (c->serial2_path && strlen(c->serial2_path) >= 108)
		return bs_error(ENAMETOOLONG, "serial2 socket path too long");
	if (c->control && strlen(c->control) >= 108)
		return bs_error(ENAMETOOLONG, "control socket path too long");
	return 0;
}
