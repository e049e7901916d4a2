// SPDX-License-Identifier: MIT
/*
 * store.c - where zones are kept: each configuration as $BASALT_ROOT/zonecfg/NAME.json with its
 * persistent state (configured or installed) in NAME.state beside it, and each running zone's
 * supervisor files under $BASALT_ROOT/run/zones/NAME/. The state of a zone is the supervisor's
 * while one answers for it, "down" when its files remain without a supervisor, else the
 * persistent one.
 */
#include <basalt/zone.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>

static const char *const state_names[] = {
	[ZONE_STATE_CONFIGURED] = "configured",
	[ZONE_STATE_INSTALLED] = "installed",
	[ZONE_STATE_READY] = "ready",
	[ZONE_STATE_RUNNING] = "running",
	[ZONE_STATE_SHUTTING_DOWN] = "shutting_down",
	[ZONE_STATE_DOWN] = "down",
	[ZONE_STATE_FAILED] = "failed",
};

const char *zone_state_name(enum zone_state s)
{
	return state_names[s];
}

int zone_state_parse(const char *s, enum zone_state *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
		if (streq(s, state_names[i])) {
			*ret = (enum zone_state)i;
			return 0;
		}
	return -EINVAL;
}

static char *cfg_path(const char *name, const char *ext)
{
	_cleanup_free_ char *rel = bs_asprintf("zonecfg/%s.%s", name, ext);

	return bs_root_path(rel);
}

char *zone_run_path(const char *name, const char *file)
{
	_cleanup_free_ char *rel = file ? bs_asprintf("run/zones/%s/%s", name, file) :
					  bs_asprintf("run/zones/%s", name);

	return bs_root_path(rel);
}

static int check_name(const char *name)
{
	if (!zone_name_valid(name))
		return bs_error(EINVAL, "'%s' is not a valid zone name", name);
	return 0;
}

int zone_store_load(const char *name, struct zone_config **ret)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	_cleanup_json_ json_t *j = NULL;
	int r;

	r = check_name(name);
	if (r < 0)
		return r;
	path = cfg_path(name, "json");
	r = bs_read_file(path, &text, NULL);
	if (r == -ENOENT)
		return bs_error(ENOENT, "zone '%s' does not exist", name);
	if (r < 0)
		return bs_error(r, "cannot read %s: %s", path, strerror(-r));
	r = bs_json_parse(text, path, &j);
	if (r < 0)
		return r;
	return zone_config_from_json(j, name, ret);
}

static int write_config(const struct zone_config *c)
{
	_cleanup_json_ json_t *j = zone_config_to_json(c);
	_cleanup_free_ char *dir = bs_root_path("zonecfg"), *path = cfg_path(c->zonename, "json");
	_cleanup_free_ char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	int r;

	r = bs_mkdir_p(dir, 0700);
	if (r < 0)
		return bs_error(r, "cannot create %s: %s", dir, strerror(-r));
	r = bs_write_file_atomic(path, text, strlen(text), 0600);
	if (r < 0)
		return bs_error(r, "cannot write %s: %s", path, strerror(-r));
	return 0;
}

/* The address part of a CIDR as a number, for comparing. */
static uint32_t cidr_addr(const char *cidr)
{
	char buf[32];
	struct in_addr a = { 0 };

	snprintf(buf, sizeof(buf), "%s", cidr);
	buf[strcspn(buf, "/")] = '\0';
	inet_pton(AF_INET, buf, &a);
	return a.s_addr;
}

/* -EEXIST when another zone has c's uuid, -EADDRINUSE when one of c's addresses is taken (by
 * another zone or by c itself twice). */
static int check_conflicts(const struct zone_config *c)
{
	char **names = NULL;
	int r;

	for (size_t i = 0; i < c->n_nics; i++)
		for (char **ip = c->nics[i].ips; ip && *ip; ip++)
			for (size_t k = 0; k <= i; k++)
				for (char **o = c->nics[k].ips; o && *o && o != ip; o++)
					if (cidr_addr(*o) == cidr_addr(*ip))
						return bs_error(EADDRINUSE,
								"IP address %s is given twice",
								*ip);
	r = zone_store_list(&names);
	if (r < 0)
		return r;
	for (char **n = names; *n && r == 0; n++) {
		_cleanup_zone_config_ struct zone_config *o = NULL;

		if (streq(*n, c->zonename) || zone_store_load(*n, &o) < 0)
			continue;
		if (streq(o->uuid, c->uuid))
			r = bs_error(EEXIST, "uuid %s is already zone '%s''s", c->uuid, *n);
		for (size_t i = 0; i < c->n_nics && r == 0; i++)
			for (char **ip = c->nics[i].ips; ip && *ip && r == 0; ip++)
				for (size_t k = 0; k < o->n_nics && r == 0; k++)
					for (char **x = o->nics[k].ips; x && *x; x++)
						if (cidr_addr(*x) == cidr_addr(*ip)) {
							r = bs_error(EADDRINUSE,
								     "IP address %s is already "
								     "used by zone '%s'",
								     *ip, *n);
							break;
						}
	}
	zone_strv_free(names);
	return r;
}

int zone_store_create(const struct zone_config *c)
{
	_cleanup_free_ char *path = cfg_path(c->zonename, "json");
	struct stat st;
	int r;

	if (stat(path, &st) == 0)
		return bs_error(EEXIST, "zone '%s' already exists", c->zonename);
	r = check_conflicts(c);
	if (r < 0)
		return r;
	r = write_config(c);
	if (r < 0)
		return r;
	return zone_store_set_installed(c->zonename, false);
}

int zone_store_update(const struct zone_config *c)
{
	_cleanup_zone_config_ struct zone_config *old = NULL;
	int r;

	r = zone_store_load(c->zonename, &old);
	if (r < 0)
		return r;
	r = check_conflicts(c);
	if (r < 0)
		return r;
	return write_config(c);
}

int zone_store_set_installed(const char *name, bool installed)
{
	_cleanup_free_ char *path = cfg_path(name, "state");
	const char *s = installed ? "installed\n" : "configured\n";
	int r;

	r = bs_write_file_atomic(path, s, strlen(s), 0600);
	if (r < 0)
		return bs_error(r, "cannot write %s: %s", path, strerror(-r));
	return 0;
}

int zone_store_delete(const char *name)
{
	_cleanup_free_ char *json = NULL, *state = NULL;
	enum zone_state s;
	int r;

	r = zone_state_get(name, &s, NULL);
	if (r < 0)
		return r;
	if (s != ZONE_STATE_CONFIGURED && s != ZONE_STATE_INSTALLED)
		return bs_error(EBUSY, "zone '%s' is %s; halt it first", name, zone_state_name(s));
	json = cfg_path(name, "json");
	state = cfg_path(name, "state");
	if (unlink(json) < 0)
		return bs_error(errno, "cannot remove %s: %s", json, strerror(errno));
	unlink(state);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int zone_store_list(char ***ret_names)
{
	_cleanup_free_ char *dir = bs_root_path("zonecfg");
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names;
	size_t n = 0, cap = 8;

	names = bs_zalloc(cap * sizeof(char *));
	while (d && (e = readdir(d))) {
		if (!bs_endswith(e->d_name, ".json") || e->d_name[0] == '.')
			continue;
		if (n + 1 >= cap) {
			cap *= 2;
			names = bs_realloc(names, cap * sizeof(char *));
		}
		names[n] = bs_strdup(e->d_name);
		names[n][strlen(names[n]) - 5] = '\0';
		names[++n] = NULL;
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(char *), cmp_str);
	*ret_names = names;
	return 0;
}

/* Read a small runtime file's first line. */
static int read_line(const char *name, const char *file, char *buf, size_t size)
{
	_cleanup_free_ char *path = zone_run_path(name, file), *text = NULL;
	int r;

	r = bs_read_file(path, &text, NULL);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	r = bs_strlcpy(buf, text, size);
	return r < 0 ? r : 0;
}

/* The supervisor pid lives: it exists and is not a zombie waiting for its reaper. */
static bool supervisor_alive(pid_t pid)
{
	char path[64], buf[256];
	_cleanup_fclose_ FILE *f = NULL;
	char *close_paren;

	if (pid <= 0 || kill(pid, 0) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f || !fgets(buf, sizeof(buf), f))
		return false;
	close_paren = strrchr(buf, ')');
	return close_paren && close_paren[1] == ' ' && close_paren[2] != 'Z' &&
	       close_paren[2] != 'X';
}

int zone_state_get(const char *name, enum zone_state *ret, pid_t *ret_init_pid)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	char buf[64];
	uint64_t pid;
	enum zone_state s;
	int r;

	r = check_name(name);
	if (r < 0)
		return r;
	path = cfg_path(name, "state");
	r = bs_read_file(path, &text, NULL);
	if (r < 0)
		return bs_error(ENOENT, "zone '%s' does not exist", name);
	text[strcspn(text, "\n")] = '\0';
	if (zone_state_parse(text, &s) < 0)
		s = ZONE_STATE_CONFIGURED;
	if (ret_init_pid)
		*ret_init_pid = 0;
	if (read_line(name, "supervisor", buf, sizeof(buf)) == 0) {
		/* a supervisor was started: it answers for the zone while it lives */
		if (bs_parse_u64(buf, &pid) == 0 && supervisor_alive((pid_t)pid)) {
			if (read_line(name, "state", buf, sizeof(buf)) < 0 ||
			    zone_state_parse(buf, &s) < 0)
				s = ZONE_STATE_READY;
			if (ret_init_pid && read_line(name, "init", buf, sizeof(buf)) == 0 &&
			    bs_parse_u64(buf, &pid) == 0)
				*ret_init_pid = (pid_t)pid;
		} else {
			s = ZONE_STATE_DOWN;
		}
	}
	*ret = s;
	return 0;
}
