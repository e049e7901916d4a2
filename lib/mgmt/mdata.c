// SPDX-License-Identifier: MIT
/*
 * mdata.c - the metadata service of a VM: a Unix socket in $BASALT_ROOT/run/mdata/UUID/, bound
 * read-only into the zone at /.zonecontrol with the mdata tools (links to a copy of the static
 * basalt-mdata binary), served by one process per running VM that reads the VM's manifest at every
 * request, so `vmadm update` changes are seen at once. It answers customer_metadata keys and
 * the sdc: keys (sdc:uuid, sdc:alias, sdc:nics... any manifest property), and mdata-put and
 * mdata-delete change customer_metadata. The server ends with the zone's supervisor. At the VM's
 * first boot, customer_metadata's user-script runs in the zone.
 *
 * The protocol, one request per connection:
 *   GET KEY\n | KEYS\n | DELETE KEY\n | PUT KEY LEN\n<LEN bytes>
 *   answer: SUCCESS\n<value> | NOTFOUND\n | FAILURE <message>\n
 * A kvm VM's only process is its VMM, so its guest reaches the service through its second serial
 * port instead: the server connects to the VMM's socket for it and speaks version 2 of the
 * protocol there (mdata_v2.c), line after line.
 */
#include <basalt/mgmt.h>
#include <basalt/zone.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "mgmt_impl.h"

static const char *const tools[] = { "mdata-get", "mdata-put", "mdata-list", "mdata-delete" };

char *mgmt_mdata_dir(const char *uuid)
{
	_cleanup_free_ char *rel = bs_asprintf("run/mdata/%s", uuid);

	return bs_root_path(rel);
}

static char *pid_path(const char *uuid)
{
	_cleanup_free_ char *rel = bs_asprintf("run/mdata/%s.pid", uuid);

	return bs_root_path(rel);
}

void mgmt_mdata_stop(const char *uuid)
{
	_cleanup_free_ char *path = pid_path(uuid), *text = NULL;
	size_t len;
	uint64_t pid;

	if (bs_read_file(path, &text, &len) == 0 &&
	    bs_parse_u64(strtok(text, "\n") ?: "", &pid) == 0 && pid > 1)
		kill((pid_t)pid, SIGTERM);
	unlink(path);
}

void mgmt_mdata_remove(const char *uuid)
{
	_cleanup_free_ char *dir = mgmt_mdata_dir(uuid), *rel = NULL, *done = NULL;

	rel = bs_asprintf("vms/%s.user-script-ran", uuid);
	if (mgmt_config_path(rel, &done) == 0)
		unlink(done);

	mgmt_mdata_stop(uuid);
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
		_cleanup_free_ char *p = bs_path_join(dir, tools[i]);

		unlink(p);
	}
	{
		_cleanup_free_ char *b = bs_path_join(dir, "basalt-mdata");
		_cleanup_free_ char *s = bs_path_join(dir, "metadata.sock");

		unlink(b);
		unlink(s);
	}
	rmdir(dir);
}

/* The static basalt-mdata in the directory, and the mdata tools as links to it. basalt-mdata is
 * installed beside basalt; in the build directory it is in cmd/. */
static int install_tools(const char *dir)
{
	_cleanup_free_ char *dst = bs_path_join(dir, "basalt-mdata"), *self = NULL, *src = NULL;
	char buf[4096];
	ssize_t n;
	int r;

	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n < 0)
		return bs_error(errno, "cannot read /proc/self/exe: %s", strerror(errno));
	buf[n] = '\0';
	self = bs_strdup(buf);
	*strrchr(self, '/') = '\0';
	src = bs_path_join(self, "basalt-mdata");
	if (access(src, X_OK) < 0) {
		free(src);
		src = bs_path_join(self, "cmd/basalt-mdata");
	}
	if (access(src, X_OK) < 0)
		return bs_error(ENOENT, "no basalt-mdata beside %s (nor in its cmd/)", buf);
	r = mgmt_copy_file(src, dst, 0755);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
		_cleanup_free_ char *p = bs_path_join(dir, tools[i]);

		unlink(p);
		if (symlink("basalt-mdata", p) < 0)
			return bs_error(errno, "cannot link %s: %s", p, strerror(errno));
	}
	return 0;
}

int mgmt_mdata_start(json_t *m)
{
	_cleanup_free_ char *dir = mgmt_mdata_dir(json_string_value(json_object_get(m, "uuid")));
	int r;

	r = bs_mkdir_p(dir, 0755);
	if (r < 0)
		return bs_error(-r, "cannot prepare the metadata directory %s: %s", dir,
				strerror(-r));
	return install_tools(dir);
}

/* ---- the server ---- */

/* The text of a metadata value: a string as it is, anything else as JSON. */
static char *value_text(json_t *v)
{
	if (json_is_string(v))
		return bs_strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

int mgmt_mdata_parse(const char *buf, size_t len, struct mgmt_mdata_req *ret)
{
	static const char *const ops[] = { [MGMT_MDATA_GET] = "GET",
					   [MGMT_MDATA_KEYS] = "KEYS",
					   [MGMT_MDATA_PUT] = "PUT",
					   [MGMT_MDATA_DELETE] = "DELETE" };
	const char *nl = memchr(buf, '\n', len), *sp, *key;
	struct mgmt_mdata_req r = { 0 };
	size_t linelen, oplen;
	uint64_t vlen = 0;
	bool found = false;

	if (!nl)
		return len >= MGMT_MDATA_MAX_LINE ? -EINVAL : -EAGAIN;
	linelen = (size_t)(nl - buf);
	if (linelen >= MGMT_MDATA_MAX_LINE || memchr(buf, '\0', linelen))
		return -EINVAL;
	sp = memchr(buf, ' ', linelen);
	oplen = sp ? (size_t)(sp - buf) : linelen;
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (strlen(ops[i]) == oplen && memcmp(buf, ops[i], oplen) == 0) {
			r.op = (enum mgmt_mdata_op)i;
			found = true;
		}
	if (!found)
		return -EINVAL;
	key = sp ? sp + 1 : NULL;
	r.key_len = key ? (size_t)(nl - key) : 0;
	if (r.op == MGMT_MDATA_PUT) {
		/* KEY LEN: the length is after the last space */
		const char *lsp = key ? memrchr(key, ' ', r.key_len) : NULL;
		char num[24];
		size_t nlen;

		if (!lsp)
			return -EINVAL;
		nlen = (size_t)(nl - lsp - 1);
		if (nlen == 0 || nlen >= sizeof(num))
			return -EINVAL;
		memcpy(num, lsp + 1, nlen);
		num[nlen] = '\0';
		if (bs_parse_u64(num, &vlen) < 0 || vlen > MGMT_MDATA_MAX_VALUE)
			return -EINVAL;
		r.key_len = (size_t)(lsp - key);
		if (len - linelen - 1 < vlen)
			return -EAGAIN;
		r.value = nl + 1;
		r.value_len = (size_t)vlen;
	}
	if (r.op == MGMT_MDATA_KEYS ? key != NULL : (key == NULL || r.key_len == 0))
		return -EINVAL;
	r.key = key;
	*ret = r;
	return 0;
}

/* Answer one parsed request against the manifest of the VM uuid (opaque). */
static void serve_request(const struct mgmt_mdata_req *q, struct mgmt_mdata_answer *a, void *opaque)
{
	const char *uuid = opaque;
	_cleanup_free_ char *key = NULL;
	_cleanup_json_ json_t *m = NULL;
	json_t *cm;

	if (q->key) {
		key = bs_malloc(q->key_len + 1);
		memcpy(key, q->key, q->key_len);
		key[q->key_len] = '\0';
	}
	if (mgmt_vm_manifest_read(uuid, &m) < 0)
		return mgmt_mdata_answer_set(a, "FAILURE", "the VM's manifest cannot be read");
	cm = json_object_get(m, "customer_metadata");
	if (!cm) {
		cm = json_object();
		json_object_set_new(m, "customer_metadata", cm);
	}
	if (q->op == MGMT_MDATA_KEYS) {
		_cleanup_free_ char *keys = bs_strdup("");
		const char *k;
		json_t *v;

		json_object_foreach(cm, k, v) {
			char *t = bs_asprintf("%s%s\n", keys, k);

			free(keys);
			keys = t;
		}
		mgmt_mdata_answer_set(a, "SUCCESS", keys);
	} else if (q->op == MGMT_MDATA_GET) {
		json_t *v = bs_startswith(key, "sdc:") ? json_object_get(m, key + 4) :
							 json_object_get(cm, key);

		mgmt_mdata_answer_set(a, v ? "SUCCESS" : "NOTFOUND", NULL);
		a->value = v ? value_text(v) : NULL;
	} else {
		if (bs_startswith(key, "sdc:"))
			return mgmt_mdata_answer_set(a, "FAILURE", "sdc: keys are read-only");
		if (q->op == MGMT_MDATA_PUT) {
			json_t *v = json_stringn(q->value, q->value_len);

			if (!v || json_object_set_new(cm, key, v) < 0)
				return mgmt_mdata_answer_set(a, "FAILURE",
							     "keys and values must be UTF-8 text");
		} else if (json_object_del(cm, key) < 0) {
			return mgmt_mdata_answer_set(a, "NOTFOUND", NULL);
		}
		if (mgmt_vm_manifest_write(m) < 0)
			mgmt_mdata_answer_set(a, "FAILURE", "the VM's manifest cannot be written");
		else
			mgmt_mdata_answer_set(a, "SUCCESS", NULL);
	}
}

/* Read one request (bounded in size, and in time: a client that says nothing is dropped) and
 * answer it: "STATUS[ message]\n" and the value. */
static void serve_one(const char *uuid, int fd)
{
	size_t cap = MGMT_MDATA_MAX_LINE + MGMT_MDATA_MAX_VALUE;
	_cleanup_free_ char *buf = bs_malloc(cap), *head = NULL;
	struct timeval tv = { .tv_sec = 5 };
	struct mgmt_mdata_answer a = { "FAILURE", bs_strdup("bad request") };
	struct mgmt_mdata_req q;
	bool failed;
	size_t len = 0;
	ssize_t n;
	int r = -EAGAIN;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (r == -EAGAIN && len < cap && (n = read(fd, buf + len, cap - len)) > 0) {
		len += (size_t)n;
		r = mgmt_mdata_parse(buf, len, &q);
	}
	if (r >= 0)
		serve_request(&q, &a, (void *)uuid);
	failed = streq(a.status, "FAILURE");
	head = failed ? bs_asprintf("FAILURE %s\n", a.value) : bs_asprintf("%s\n", a.status);
	if (bs_write_full(fd, head, strlen(head)) >= 0 && a.value && !failed)
		bs_write_full(fd, a.value, strlen(a.value));
	free(a.value);
}

/* A kvm VM: connect to the VMM's COM2 socket (again after the VMM restarted, when its guest
 * rebooted) and serve V2 on it until the zone's supervisor ends. The VMM may not listen yet:
 * try again a little later. */
static int serve_kvm(const char *uuid, int pidfd)
{
	_cleanup_free_ char *root = NULL;
	int r;

	r = mgmt_vm_zoneroot(uuid, &root);
	if (r < 0)
		return r;
	for (;;) {
		_cleanup_close_ int fd = -1;
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		r = mgmt_kvm_connect(root, MGMT_KVM_METADATA_NAME, &fd);
		if (r >= 0 && mgmt_mdata_v2_serve(fd, pidfd, serve_request, (void *)uuid))
			return 0;
		if (poll(&p, 1, 100) > 0)
			return 0;
	}
}

int mgmt_mdata_serve(const char *uuid)
{
	_cleanup_free_ char *dir = mgmt_mdata_dir(uuid), *sock = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_free_ char *sup_path = zone_run_path(uuid, "supervisor"), *sup = NULL;
	_cleanup_close_ int lfd = -1, pidfd = -1;
	_cleanup_json_ json_t *m = NULL;
	pid_t init = 0;
	enum zone_state st;
	uint64_t pid;

	/* the zone's supervisor outlives a reboot of the zone (or of a kvm guest): the service
	 * lasts as long as it does */
	if (zone_state_get(uuid, &st, &init) < 0 || init <= 0 ||
	    bs_read_file(sup_path, &sup, NULL) < 0 ||
	    bs_parse_u64(strtok(sup, "\n") ?: "", &pid) < 0)
		return bs_error(ESRCH, "zone %s is not running", uuid);
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0)
		return -errno;
	if (mgmt_vm_manifest_read(uuid, &m) >= 0 &&
	    streq(json_string_value(json_object_get(m, "brand")) ?: "", "kvm"))
		return serve_kvm(uuid, pidfd);
	sock = bs_path_join(dir, "metadata.sock");
	if (bs_strlcpy(sa.sun_path, sock, sizeof(sa.sun_path)) < 0)
		return bs_error(ENAMETOOLONG, "%s: path too long", sock);
	unlink(sock);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(sock, 0666) < 0 ||
	    listen(lfd, 16) < 0)
		return -errno;
	for (;;) {
		struct pollfd p[2] = { { .fd = lfd, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN) {
			_cleanup_close_ int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (c >= 0)
				serve_one(uuid, c);
		}
	}
	unlink(sock);
	return 0;
}

/* Fork the server away from the command, as the zone's supervisor is. */
static int server_spawn(const char *uuid)
{
	_cleanup_free_ char *path = pid_path(uuid);
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		pid_t server;

		setsid();
		server = fork();
		if (server != 0) {
			_cleanup_free_ char *text = bs_asprintf("%d\n", (int)server);

			if (server > 0)
				bs_write_file_atomic(path, text, strlen(text), 0644);
			_exit(server > 0 ? 0 : 1);
		}
		if (chdir("/") < 0)
			_exit(1);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		/* nothing of the command's (its locks, its caller's pipes) lives on in the server
		 */
		close_range(3, ~0U, 0);
		signal(SIGPIPE, SIG_IGN);
		_exit(mgmt_mdata_serve(uuid) < 0 ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ?
		       0 :
		       bs_error(EIO, "the metadata server did not start");
}

/* The user-script, run in the zone in the background with its output in
 * /var/log/user-script.log, once: a file beside the VM's manifest remembers it ran. */
static int user_script(json_t *m)
{
	const char *uuid = json_string_value(json_object_get(m, "uuid"));
	const char *script = json_string_value(
		json_object_get(json_object_get(m, "customer_metadata"), "user-script"));
	_cleanup_free_ char *rel = bs_asprintf("vms/%s.user-script-ran", uuid), *done = NULL;
	static char sh[] = "/bin/sh", dash_c[] = "-c", name[] = "user-script";
	static char body[] = "mkdir -p /var/log; exec >/var/log/user-script.log 2>&1 </dev/null;"
			     " eval \"$1\"";
	_cleanup_close_ int fd = -1;
	pid_t pid;
	int r;

	if (!script)
		return 0;
	r = mgmt_config_path(rel, &done);
	if (r < 0)
		return r;
	fd = open(done, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	/* a child of its own waits for it, so that the command does not */
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char *argv[] = { sh, dash_c, body, name, (char *)script, NULL };
		int null = open("/dev/null", O_RDWR | O_CLOEXEC), status;
		pid_t child;

		setsid();
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		close_range(3, ~0U, 0);
		if (zone_enter_exec(uuid, argv, -1, &child) < 0)
			_exit(1);
		waitpid(child, &status, 0);
		_exit(0);
	}
	return 0;
}

int mgmt_mdata_first_boot(json_t *m)
{
	const char *uuid = json_string_value(json_object_get(m, "uuid"));
	int r;

	mgmt_mdata_stop(uuid);
	r = server_spawn(uuid);
	if (r < 0)
		return r;
	return user_script(m);
}
