// SPDX-License-Identifier: MIT
/*
 * vm_send.c - a VM through a pipe: `vmadm send UUID | vmadm receive` to another pool or host.
 * The stream is a header line "basalt-vm 2 LEN\n", the VM's manifest (LEN bytes of JSON), then
 * each of its datasets: the VM's own (the zone root), its delegated dataset, a kvm VM's disk
 * volumes, each as a line "dataset NAME\n" followed by the send stream of a snapshot taken for
 * the purpose, cut in chunks "LEN\n<LEN bytes>" and ended by "0\n"; a line "end\n" ends it all.
 * The chunks let the receiver hand each `zfs receive` exactly its own stream. A dataset cloned
 * from an image arrives whole, independent of the image, so the receiving pool needs no image.
 */
#include <basalt/stor.h>
#include <basalt/zone.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "mgmt_impl.h"

#define SEND_MAGIC "basalt-vm 2 "
#define SEND_SNAP "vmsend"
#define SEND_MAX_MANIFEST (1u << 20)
#define SEND_CHUNK (64u << 10)

/* The VM's datasets in the order they are sent and received (a parent before its child). */
static json_t *vm_datasets(json_t *m)
{
	const char *uuid = json_string_value(json_object_get(m, "uuid"));
	json_t *list = json_array(), *o;
	size_t i;

	json_array_append_new(list, json_string_nocheck(mgmt_vm_ds(uuid)));
	json_array_foreach(json_object_get(m, "datasets"), i, o)
		json_array_append(list, o);
	json_array_foreach(json_object_get(m, "disks"), i, o)
		if (json_is_string(json_object_get(o, "zfs_filesystem")))
			json_array_append(list, json_object_get(o, "zfs_filesystem"));
	return list;
}

/* `zfs ARGS` run by a child of our own, so that the caller can feed or drain its pipe
 * meanwhile; its error message comes back through err_fd. */
struct zfs_job {
	pid_t pid;
	int err_fd;
};

static int zfs_start(const char *const argv[], int in_fd, int out_fd, int close_fd,
		     struct zfs_job *job)
{
	int ep[2];

	if (pipe2(ep, O_CLOEXEC) < 0)
		return -errno;
	job->pid = fork();
	if (job->pid < 0) {
		close(ep[0]);
		close(ep[1]);
		return -errno;
	}
	if (job->pid == 0) {
		int r;

		close(close_fd);
		close(ep[0]);
		r = mgmt_zfs(argv, in_fd, out_fd, NULL);
		if (r < 0)
			bs_write_full(ep[1], bs_strerror(r), strlen(bs_strerror(r)));
		_exit(r < 0 ? 1 : 0);
	}
	close(ep[1]);
	job->err_fd = ep[0];
	return 0;
}

static int zfs_wait(struct zfs_job *job)
{
	char msg[512];
	ssize_t n = read(job->err_fd, msg, sizeof(msg) - 1);
	int status;

	close(job->err_fd);
	while (waitpid(job->pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	msg[n > 0 ? n : 0] = '\0';
	return bs_error(EIO, "%s", msg[0] ? msg : "zfs failed");
}

/* One dataset's section: its name, then its snapshot's send stream in chunks. */
static int send_dataset(const char *ds, int fd)
{
	_cleanup_free_ char *snap = bs_asprintf("%s@%s", ds, SEND_SNAP), *head = NULL;
	_cleanup_free_ char *buf = bs_malloc(SEND_CHUNK);
	const char *sargv[] = { "snapshot", snap, NULL }, *dargv[] = { "destroy", snap, NULL };
	const char *argv[] = { "send", snap, NULL };
	struct zfs_job job;
	int p[2], r, r2;
	ssize_t n;

	if (mgmt_zfs_exists(snap) && (r = mgmt_zfs(dargv, -1, -1, NULL)) < 0)
		return r;
	r = mgmt_zfs(sargv, -1, -1, NULL);
	if (r < 0)
		return r;
	head = bs_asprintf("dataset %s\n", ds);
	r = bs_write_full(fd, head, strlen(head));
	if (r >= 0 && pipe2(p, O_CLOEXEC) < 0)
		r = -errno;
	if (r < 0)
		goto out;
	r = zfs_start(argv, -1, p[1], p[0], &job);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		goto out;
	}
	while ((n = read(p[0], buf, SEND_CHUNK)) != 0) {
		char len[24];

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		snprintf(len, sizeof(len), "%zd\n", n);
		r = bs_write_full(fd, len, strlen(len));
		if (r >= 0)
			r = bs_write_full(fd, buf, (size_t)n);
		if (r < 0)
			break;
	}
	close(p[0]);
	r2 = zfs_wait(&job);
	if (r >= 0)
		r = r2;
	if (r >= 0)
		r = bs_write_full(fd, "0\n", 2);
out:
	mgmt_zfs(dargv, -1, -1, NULL);
	return r;
}

int mgmt_vm_send(const char *uuid, int fd)
{
	_cleanup_json_ json_t *m = NULL, *list = NULL;
	_cleanup_free_ char *text = NULL, *head = NULL;
	enum zone_state st;
	size_t i;
	json_t *o;
	int r;

	r = mgmt_vm_manifest_read(uuid, &m);
	if (r < 0)
		return r;
	if (zone_state_get(uuid, &st, NULL) == 0 && st == ZONE_STATE_RUNNING)
		return bs_error(EBUSY, "VM %s is running; stop it before sending it", uuid);
	text = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
	head = bs_asprintf(SEND_MAGIC "%zu\n", strlen(text));
	r = bs_write_full(fd, head, strlen(head));
	if (r >= 0)
		r = bs_write_full(fd, text, strlen(text));
	list = vm_datasets(m);
	json_array_foreach(list, i, o) {
		if (r < 0)
			break;
		r = send_dataset(json_string_value(o), fd);
	}
	if (r >= 0)
		r = bs_write_full(fd, "end\n", 4);
	return r;
}

/* A line, read one byte at a time so that nothing after it is taken. */
static int read_line(int fd, char *line, size_t size)
{
	size_t n = 0;

	while (n < size - 1) {
		if (bs_read_full(fd, line + n, 1) < 0)
			return bs_error(EINVAL, "the VM stream ended early");
		if (line[n] == '\n') {
			line[n] = '\0';
			return 0;
		}
		n++;
	}
	return bs_error(EINVAL, "the VM stream is damaged (a line too long)");
}

static int read_header(int fd, size_t *ret_len)
{
	char line[64];
	uint64_t len;

	if (read_line(fd, line, sizeof(line)) < 0 || !bs_startswith(line, SEND_MAGIC) ||
	    bs_parse_u64(line + strlen(SEND_MAGIC), &len) < 0 || len == 0 ||
	    len > SEND_MAX_MANIFEST)
		return bs_error(EINVAL, "the input is not a VM stream from vmadm send");
	*ret_len = (size_t)len;
	return 0;
}

/* The chunks of one dataset's stream, into `zfs receive ds@vmsend`. */
static int recv_dataset(int fd, const char *ds)
{
	_cleanup_free_ char *target = bs_asprintf("%s@%s", ds, SEND_SNAP);
	_cleanup_free_ char *buf = bs_malloc(SEND_CHUNK);
	const char *argv[] = { "receive", target, NULL }, *dargv[] = { "destroy", target, NULL };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	bool fed = true; /* zfs still reads: a failed one is drained past */
	struct zfs_job job;
	int p[2], r = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	r = zfs_start(argv, p[0], STDERR_FILENO, p[1], &job);
	close(p[0]);
	if (r < 0) {
		close(p[1]);
		return r;
	}
	sigaction(SIGPIPE, &ign, &old);
	for (;;) {
		char line[24];
		uint64_t len = 0;

		r = read_line(fd, line, sizeof(line));
		if (r >= 0 && (bs_parse_u64(line, &len) < 0 || len > SEND_CHUNK))
			r = bs_error(EINVAL, "the VM stream is damaged (a bad chunk)");
		if (r < 0 || len == 0)
			break;
		r = bs_read_full(fd, buf, (size_t)len);
		if (r < 0) {
			r = bs_error(EINVAL, "the VM stream ended inside %s", ds);
			break;
		}
		if (fed && bs_write_full(p[1], buf, (size_t)len) < 0)
			fed = false;
	}
	close(p[1]);
	sigaction(SIGPIPE, &old, NULL);
	if (r < 0) {
		/* the stream's fault is the story; zfs's complaint about its input is not */
		_cleanup_free_ char *msg = bs_strdup(bs_strerror(r));

		zfs_wait(&job);
		return bs_error(-r, "%s", msg);
	}
	r = zfs_wait(&job);
	if (r >= 0)
		mgmt_zfs(dargv, -1, -1, NULL);
	return r;
}

/* Destroy what a failed receive made. */
static void recv_undo(json_t *received)
{
	size_t i;
	json_t *o;

	json_array_foreach(received, i, o) {
		const char *argv[] = { "destroy", "-r", json_string_value(o), NULL };

		if (mgmt_zfs_exists(argv[2]))
			mgmt_zfs(argv, -1, -1, NULL);
	}
}

/* Every dataset section, each one the manifest names, in order; then "end". */
static int recv_datasets(int fd, json_t *m, json_t *received)
{
	_cleanup_json_ json_t *want = vm_datasets(m);
	char line[256];
	size_t i;
	json_t *o;
	int r;

	json_array_foreach(want, i, o) {
		const char *ds = json_string_value(o);

		r = read_line(fd, line, sizeof(line));
		if (r < 0)
			return r;
		if (!bs_startswith(line, "dataset ") || !streq(line + 8, ds))
			return bs_error(EINVAL, "the VM stream is damaged: expected dataset %s",
					ds);
		if (mgmt_zfs_exists(ds))
			return bs_error(EEXIST, "dataset %s already exists in this pool", ds);
		json_array_append(received, o);
		r = recv_dataset(fd, ds);
		if (r < 0)
			return r;
	}
	r = read_line(fd, line, sizeof(line));
	if (r >= 0 && !streq(line, "end"))
		r = bs_error(EINVAL, "the VM stream is damaged: no end after its datasets");
	return r;
}

int mgmt_vm_receive(int fd, char **ret_uuid)
{
	_cleanup_json_ json_t *m = NULL, *existing = NULL, *received = json_array();
	_cleanup_free_ char *text = NULL;
	const char *uuid;
	size_t len = 0, i;
	json_t *d;
	int r;

	r = read_header(fd, &len);
	if (r < 0)
		return r;
	text = bs_zalloc(len + 1);
	r = bs_read_full(fd, text, len);
	if (r < 0)
		return bs_error(EINVAL, "the VM stream ended inside its manifest");
	r = bs_json_parse(text, "the VM stream's manifest", &m);
	if (r < 0)
		return r;
	uuid = json_string_value(json_object_get(m, "uuid"));
	if (!uuid || !bs_uuid_valid(uuid) || !json_is_string(json_object_get(m, "brand")))
		return bs_error(EINVAL, "the VM stream's manifest has no uuid or brand");
	if (mgmt_vm_manifest_read(uuid, &existing) == 0)
		return bs_error(EEXIST, "VM %s already exists in this pool", uuid);
	/* only this VM's own names: POOL/UUID, POOL/UUID/data, POOL/UUID-diskN */
	{
		_cleanup_json_ json_t *want = vm_datasets(m);
		_cleanup_free_ char *own = mgmt_vm_ds(uuid);
		json_t *o;

		json_array_foreach(want, i, o) {
			const char *ds = json_string_value(o);

			const char *rest = ds && bs_startswith(ds, own) ? ds + strlen(own) : NULL;

			if (!rest || !(rest[0] == '\0' || streq(rest, "/data") ||
				       (bs_startswith(rest, "-disk") && rest[5] &&
					strspn(rest + 5, "0123456789") == strlen(rest + 5))))
				return bs_error(EINVAL,
						"the VM stream names a dataset not its own: %s",
						ds ? ds : "?");
		}
	}
	r = recv_datasets(fd, m, received);
	/* the disks' volume files as this host names them */
	json_array_foreach(json_object_get(m, "disks"), i, d) {
		const char *ds = json_string_value(json_object_get(d, "zfs_filesystem"));
		_cleanup_free_ char *path = ds ? stor_zvol_path(ds) : NULL;

		if (path)
			json_object_set_new(d, "path", json_string(path));
	}
	if (r >= 0)
		r = mgmt_vm_manifest_write(m);
	if (r >= 0) {
		_cleanup_json_ json_t *vm = NULL;

		/* defines the VM's zone on this host */
		r = mgmt_vm_load(uuid, &vm);
	}
	if (r < 0) {
		_cleanup_free_ char *msg = bs_strdup(bs_strerror(r));

		if (mgmt_vm_manifest_read(uuid, &existing) == 0)
			mgmt_vm_delete(uuid, true);
		recv_undo(received);
		return bs_error(-r, "%s", msg);
	}
	mgmt_event(uuid, "receive", NULL);
	*ret_uuid = bs_strdup(uuid);
	return 0;
}
