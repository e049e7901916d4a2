// SPDX-License-Identifier: MIT
/*
 * vm_send.c - a VM through a pipe: `vmadm send UUID | vmadm receive` to another pool or host.
 * The stream is a header line "basalt-vm 1 LEN\n", the VM's manifest (LEN bytes of JSON), then
 * the send stream of the VM's dataset at a snapshot taken for the purpose. A zone root cloned
 * from an image arrives whole, independent of the image, so the receiving pool needs no image.
 * The receiver reads the header and manifest byte for byte, so the rest of its input is exactly
 * the dataset's stream, which `zfs receive` reads from the same descriptor.
 */
#include <basalt/zone.h>

#include "mgmt_impl.h"

#define SEND_MAGIC "basalt-vm 1 "
#define SEND_SNAP "vmsend"
#define SEND_MAX_MANIFEST (1u << 20)

int mgmt_vm_send(const char *uuid, int fd)
{
	_cleanup_json_ json_t *m = NULL;
	_cleanup_free_ char *ds = mgmt_vm_ds(uuid), *snap = NULL, *text = NULL, *head = NULL;
	const char *sargv[] = { "snapshot", NULL, NULL }, *dargv[] = { "destroy", NULL, NULL };
	const char *argv[] = { "send", NULL, NULL };
	enum zone_state st;
	int r;

	r = mgmt_vm_manifest_read(uuid, &m);
	if (r < 0)
		return r;
	if (json_array_size(json_object_get(m, "disks")) > 0)
		return bs_error(ENOTSUP, "sending kvm VMs with disks is not supported yet");
	if (zone_state_get(uuid, &st, NULL) == 0 && st == ZONE_STATE_RUNNING)
		return bs_error(EBUSY, "VM %s is running; stop it before sending it", uuid);
	snap = bs_asprintf("%s@%s", ds, SEND_SNAP);
	sargv[1] = dargv[1] = argv[1] = snap;
	if (mgmt_zfs_exists(snap)) {
		r = mgmt_zfs(dargv, -1, -1, NULL);
		if (r < 0)
			return r;
	}
	r = mgmt_zfs(sargv, -1, -1, NULL);
	if (r < 0)
		return r;
	text = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
	head = bs_asprintf(SEND_MAGIC "%zu\n", strlen(text));
	r = bs_write_full(fd, head, strlen(head));
	if (r >= 0)
		r = bs_write_full(fd, text, strlen(text));
	if (r >= 0)
		r = mgmt_zfs(argv, -1, fd, NULL);
	mgmt_zfs(dargv, -1, -1, NULL);
	return r;
}

/* The header line, read one byte at a time so that nothing of the stream after it is taken. */
static int read_header(int fd, size_t *ret_len)
{
	char line[64];
	size_t n = 0;
	uint64_t len;

	while (n < sizeof(line) - 1) {
		int r = bs_read_full(fd, line + n, 1);

		if (r < 0)
			return bs_error(EINVAL, "the input is not a VM stream (it ended early)");
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	if (!bs_startswith(line, SEND_MAGIC) || bs_parse_u64(line + strlen(SEND_MAGIC), &len) < 0 ||
	    len == 0 || len > SEND_MAX_MANIFEST)
		return bs_error(EINVAL, "the input is not a VM stream from vmadm send");
	*ret_len = (size_t)len;
	return 0;
}

int mgmt_vm_receive(int fd, char **ret_uuid)
{
	_cleanup_json_ json_t *m = NULL, *existing = NULL;
	_cleanup_free_ char *text = NULL, *ds = NULL, *target = NULL;
	const char *uuid;
	size_t len = 0;
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
	ds = mgmt_vm_ds(uuid);
	target = bs_asprintf("%s@%s", ds, SEND_SNAP);
	{
		const char *argv[] = { "receive", target, NULL };

		r = mgmt_zfs(argv, fd, STDERR_FILENO, NULL);
	}
	if (r < 0)
		return r;
	{
		const char *argv[] = { "destroy", target, NULL };

		mgmt_zfs(argv, -1, -1, NULL);
	}
	r = mgmt_vm_manifest_write(m);
	if (r >= 0) {
		_cleanup_json_ json_t *vm = NULL;

		/* defines the VM's zone on this host */
		r = mgmt_vm_load(uuid, &vm);
	}
	if (r < 0) {
		_cleanup_free_ char *msg = bs_strdup(bs_strerror(r));

		mgmt_vm_delete(uuid, true);
		if (mgmt_zfs_exists(ds)) {
			const char *argv[] = { "destroy", "-r", ds, NULL };

			mgmt_zfs(argv, -1, -1, NULL);
		}
		return bs_error(-r, "%s", msg);
	}
	mgmt_event(uuid, "receive", NULL);
	*ret_uuid = bs_strdup(uuid);
	return 0;
}
