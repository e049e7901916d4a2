// SPDX-License-Identifier: MIT
/*
 * zfs.c - how vmadm and imgadm reach the pool: a pool is open only in the pool daemon, so every
 * dataset operation is a `basalt zfs ...` run as a child process, which hands its work to the
 * daemon (starting it if needed) exactly as a user's `zfs` does. Its stdout is captured (or goes
 * to a given descriptor, for send and receive) and its one-line error becomes the caller's.
 */
#include <basalt/mgmt.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* Read everything from fd into a NUL-terminated string. */
static char *slurp(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = bs_malloc(cap);
	ssize_t n;

	for (;;) {
		if (cap - len < 2048)
			buf = bs_realloc(buf, cap *= 2);
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

int mgmt_zfs(const char *const argv[], int in_fd, int out_fd, char **ret_out)
{
	_cleanup_free_ char *out = NULL, *err = NULL;
	int opipe[2] = { -1, -1 }, epipe[2];
	size_t argc = 0;
	pid_t pid;
	int status;

	while (argv[argc])
		argc++;
	if (pipe2(epipe, O_CLOEXEC) < 0)
		return -errno;
	if (out_fd < 0 && pipe2(opipe, O_CLOEXEC) < 0) {
		close(epipe[0]);
		close(epipe[1]);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(epipe[0]);
		close(epipe[1]);
		if (opipe[0] >= 0) {
			close(opipe[0]);
			close(opipe[1]);
		}
		return r;
	}
	if (pid == 0) {
		const char **v = calloc(argc + 3, sizeof(char *));
		int in = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);

		if (!v || in < 0)
			_exit(127);
		v[0] = "basalt";
		v[1] = "zfs";
		memcpy(v + 2, argv, argc * sizeof(char *));
		dup2(in, STDIN_FILENO);
		dup2(out_fd >= 0 ? out_fd : opipe[1], STDOUT_FILENO);
		dup2(epipe[1], STDERR_FILENO);
		execv("/proc/self/exe", (char *const *)v);
		_exit(127);
	}
	close(epipe[1]);
	if (opipe[1] >= 0) {
		close(opipe[1]);
		out = slurp(opipe[0]);
		close(opipe[0]);
	}
	err = slurp(epipe[0]);
	close(epipe[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *nl = strchr(err, '\n');

		if (nl)
			*nl = '\0';
		return bs_error(EIO, "%s", err[0] ? err : "zfs failed");
	}
	if (ret_out)
		*ret_out = out ? TAKE_PTR(out) : bs_strdup("");
	return 0;
}

int mgmt_zfs_children(json_t **ret)
{
	static const char *const cols[] = { "name", "type",  "mountpoint", "origin",
					    "used", "avail", "quota",	   "volsize" };
	const char *argv[] = { "list",
			       "-H",
			       "-p",
			       "-d",
			       "1",
			       "-t",
			       "filesystem,volume",
			       "-o",
			       "name,type,mountpoint,origin,used,avail,quota,volsize",
			       MGMT_POOL,
			       NULL };
	_cleanup_free_ char *out = NULL;
	_cleanup_json_ json_t *list = json_array();
	char *line, *save = NULL;
	int r;

	r = mgmt_zfs(argv, -1, -1, &out);
	if (r < 0)
		return r;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *o = json_object();
		char *f = line, *tab;

		for (size_t i = 0; i < ARRAY_SIZE(cols) && f; i++) {
			tab = strchr(f, '\t');
			if (tab)
				*tab = '\0';
			json_object_set_new(o, cols[i], json_string(f));
			f = tab ? tab + 1 : NULL;
		}
		json_array_append_new(list, o);
	}
	*ret = TAKE_PTR(list);
	return 0;
}

int mgmt_zfs_mountpoint(const char *ds, char **ret)
{
	const char *argv[] = { "get", "-H", "-o", "value", "mountpoint", ds, NULL };
	char *out = NULL, *nl;
	int r;

	r = mgmt_zfs(argv, -1, -1, &out);
	if (r < 0)
		return r;
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	*ret = out;
	return 0;
}

bool mgmt_zfs_exists(const char *ds)
{
	const char *argv[] = { "list", "-H", "-o", "name", "-t", "all", ds, NULL };

	return mgmt_zfs(argv, -1, -1, NULL) == 0;
}

int mgmt_config_path(const char *rel, char **ret)
{
	static char *mountpoint;
	const char *ds = MGMT_POOL "/config";
	int r;

	if (!mountpoint) {
		if (!mgmt_zfs_exists(ds)) {
			const char *argv[] = { "create", ds, NULL };

			r = mgmt_zfs(argv, -1, -1, NULL);
			if (r < 0 && mgmt_zfs_exists(ds) == false)
				return r;
		}
		r = mgmt_zfs_mountpoint(ds, &mountpoint);
		if (r < 0)
			return r;
	}
	*ret = rel ? bs_path_join(mountpoint, rel) : bs_strdup(mountpoint);
	return 0;
}
