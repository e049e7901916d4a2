/* SPDX-License-Identifier: MIT */
/*
 * mgmt.h - what vmadm and imgadm are made of: VM manifests in SmartOS's JSON and their
 * validation with SmartOS's error kinds, the image store (IMGAPI manifest v2, images as datasets
 * with an @final snapshot), and the life of a VM on top of lib/zone and the pool daemon. All
 * state lives in the pool: the pool daemon is reached through `basalt zfs`, and the manifests of
 * images and VMs are files in the dataset POOL/config.
 */
#ifndef BASALT_MGMT_H
#define BASALT_MGMT_H

#include <basalt/base.h>
#include <basalt/json.h>

#include <sys/types.h>

/* The pool that holds images and VMs. */
#define MGMT_POOL "zones"

/* ---- manifests and their validation (manifest.c, validate.c) ---- */

enum mgmt_brand { MGMT_BRAND_JOYENT, MGMT_BRAND_JOYENT_MINIMAL, MGMT_BRAND_KVM };

/* "joyent", "joyent-minimal", "kvm"; -EINVAL for anything else. */
int mgmt_brand_parse(const char *s, enum mgmt_brand *ret);
const char *mgmt_brand_name(enum mgmt_brand b);

enum mgmt_action { MGMT_CREATE, MGMT_UPDATE };

/*
 * Check a create or update payload. brand is the VM's (update) or -1 (create: the payload's).
 * On failure returns -EINVAL and *ret_errors is an object with SmartOS's keys: bad_brand (the
 * brand given), bad_properties (unknown, or not for this brand or action), bad_values (wrong
 * type or range), missing_properties; each array names every offending property, nested ones
 * as "nics.0.ips". The thread's error message is the same, on one line.
 */
int mgmt_validate(enum mgmt_action action, json_t *payload, int brand, json_t **ret_errors);
/* The one line for an errors object: "invalid payload: bad_values: ram, quota; ..." */
char *mgmt_validate_message(json_t *errors);

/* A create payload, valid, made into the stored manifest: uuid, defaults, nic names and MACs,
 * zonename, create_timestamp. */
int mgmt_manifest_normalize(json_t *payload, json_t **ret);
/* Apply a valid update payload to a manifest (set_/remove_ tags and metadata, add_/update_/
 * remove_ nics and disks, plain properties). */
int mgmt_manifest_update(json_t *manifest, json_t *payload);

/* Sort a JSON array in place, stably, by cmp (json_sort.c). */
void mgmt_json_sort(json_t *a, int (*cmp)(json_t *x, json_t *y, void *arg), void *arg);

/* ---- running `zfs` through the pool daemon (zfs.c) ---- */

/* Run `basalt zfs ARGV...` with stdin in_fd and stdout out_fd (-1: /dev/null in, captured out).
 * ret_out (may be NULL) gets the captured stdout. On failure: -EIO with zfs's own line (its
 * stderr) as the message. */
int mgmt_zfs(const char *const argv[], int in_fd, int out_fd, char **ret_out);
/* [{name, type, mountpoint, origin, used, avail, quota, volsize}] of the pool's datasets one
 * level down (file systems and volumes), refreshed by every call. */
int mgmt_zfs_children(json_t **ret);
/* The mountpoint of a file system. */
int mgmt_zfs_mountpoint(const char *ds, char **ret);
bool mgmt_zfs_exists(const char *ds);
/* The pool's config dataset (created on first use) joined with rel; caller frees. */
int mgmt_config_path(const char *rel, char **ret);

/* ---- images (image.c) ---- */

/* Check an IMGAPI v2 manifest; the message names the bad field. */
int mgmt_image_manifest_check(json_t *m);
/* Install from a manifest and its file (a send stream, compressed as files[0].compression says):
 * size and sha1 verified, received into POOL/UUID, @final taken, manifest stored. */
int mgmt_image_install(json_t *manifest, const char *file);
/* Configured sources: ["/dir", ...]. */
int mgmt_image_sources(json_t **ret);
int mgmt_image_source_add(const char *dir);
int mgmt_image_source_del(const char *dir);
/* Install UUID from the first source that has it. */
int mgmt_image_import(const char *uuid);
/* [{manifest, source}] of the images the configured sources offer (a directory's manifest file,
 * or a server's base URL as source). */
int mgmt_image_avail(json_t **ret);
/* [{manifest, zpool, clones: N, source}] of installed images. */
int mgmt_image_list(json_t **ret);
/* The installed image's entry as in the list; -ENOENT with a message otherwise. */
int mgmt_image_get(const char *uuid, json_t **ret);
/* Delete an installed image; -EBUSY naming the datasets cloned from it. */
int mgmt_image_delete(const char *uuid);
/* Delete every installed image nothing is cloned from; ret_deleted lists their uuids. */
int mgmt_image_vacuum(json_t **ret_deleted);
/* [uuid, origin, origin's origin...] */
int mgmt_image_ancestry(const char *uuid, json_t **ret);
/* Make an image of a stopped VM: snapshot, send (incremental from its image's @final when
 * incremental), write OUTDIR/NAME-VERSION.json and .zfs; props give the manifest's fields (name
 * and version at least); ret_manifest gets the manifest. */
int mgmt_image_create(const char *vm_uuid, json_t *props, const char *outdir, bool incremental,
		      json_t **ret_manifest);

/* ---- VMs (vm.c) ---- */

/* Create a VM from a create payload: on any failure nothing is left (datasets, zone, files).
 * ret_uuid gets the new VM's uuid. */
int mgmt_vm_create(json_t *payload, char **ret_uuid);
/* The stored manifest with state, zone_state and the live properties filled in. */
int mgmt_vm_load(const char *uuid, json_t **ret);
/* Every VM, as mgmt_vm_load returns them, sorted by create_timestamp. */
int mgmt_vm_list(json_t **ret);
int mgmt_vm_start(const char *uuid);
/* force: halt at once; else SIGTERM to init and halt after timeout_s. */
int mgmt_vm_stop(const char *uuid, bool force, unsigned timeout_s);
int mgmt_vm_reboot(const char *uuid, bool force);
/* Delete a VM; a running one needs force. */
int mgmt_vm_delete(const char *uuid, bool force);
int mgmt_vm_update(const char *uuid, json_t *payload);
int mgmt_vm_snapshot(const char *uuid, const char *snap, int op); /* op: 'c', 'r', 'd' */
/* Write a VM (manifest and datasets) to fd; read one from fd, as a new VM of this pool. */
int mgmt_vm_send(const char *uuid, int fd);
int mgmt_vm_receive(int fd, char **ret_uuid);
/* Boot every autoboot VM that does not run, once per pool daemon (see docs/design-mgmt.md). */
int mgmt_vm_autoboot(void);
/* Append an event to the event log; mgmt_vm_events follows it from the end. */
void mgmt_event(const char *uuid, const char *type, const char *detail);
char *mgmt_events_path(void);

/* ---- a small HTTP/1.1 client for IMGAPI sources (http.c): plain http, no TLS ---- */

struct mgmt_http_url {
	char host[256];
	unsigned int port;
	char path[2048];
};
/* http://HOST[:PORT][/PATH]; https:// is refused (-ENOTSUP), as is anything else (-EINVAL). */
int mgmt_http_url_parse(const char *url, struct mgmt_http_url *ret);
struct mgmt_http_head {
	int status;
	int64_t content_length; /* -1: none given */
	bool chunked;
	char location[1024];
};
/* Parse the status line and headers at the start of buf[0, len): the head's length (through its
 * empty line), -EAGAIN when it is not complete, -EINVAL when malformed or over 64 KiB. */
int mgmt_http_parse_head(const char *buf, size_t len, struct mgmt_http_head *ret);
/* Read one response from fd: a 2xx body goes to out_fd (>= 0) or to *ret_body (NUL-terminated,
 * at most max bytes, else -EFBIG); other bodies are read and dropped. */
int mgmt_http_read_response(int fd, int out_fd, size_t max, struct mgmt_http_head *ret_head,
			    char **ret_body, size_t *ret_len);
/* GET url, following up to 5 redirects: a 2xx body as mgmt_http_read_response; -ENOENT for 404,
 * -EIO for another status, each with a message. */
int mgmt_http_get(const char *url, int out_fd, size_t max, char **ret_body, size_t *ret_len);

/* ---- metadata (mdata.c) ---- */

/* Inside each zone: the directory of the metadata socket and of the mdata tools. */
#define MGMT_MDATA_ZONE_DIR "/.zonecontrol"
#define MGMT_MDATA_SOCKET MGMT_MDATA_ZONE_DIR "/metadata.sock"

/* A request as the server reads it from a zone: what parsing found, pointing into the buffer. */
#define MGMT_MDATA_MAX_LINE 4096
#define MGMT_MDATA_MAX_VALUE (1u << 20)
enum mgmt_mdata_op { MGMT_MDATA_GET, MGMT_MDATA_KEYS, MGMT_MDATA_PUT, MGMT_MDATA_DELETE };
struct mgmt_mdata_req {
	enum mgmt_mdata_op op;
	const char *key; /* NULL for KEYS */
	size_t key_len;
	const char *value; /* PUT */
	size_t value_len;
};
/* Parse the request in buf[0, len): 0 with ret filled, -EAGAIN when more bytes are needed,
 * -EINVAL when it is malformed (unknown operation, missing or extra key, bad length, a line
 * longer than MGMT_MDATA_MAX_LINE, a value longer than MGMT_MDATA_MAX_VALUE). */
int mgmt_mdata_parse(const char *buf, size_t len, struct mgmt_mdata_req *ret);

/* One request to a metadata socket (the mdata tools): op GET, KEYS, PUT or DELETE; value for
 * PUT. ret_answer gets the value (GET) or the keys, one a line (KEYS). -ENOENT: no such key. */
int mgmt_mdata_request(const char *socket, const char *op, const char *key, const char *value,
		       size_t value_len, char **ret_answer);
/* ---- version 2 of the protocol, on a kvm guest's second serial port (mdata_v2.c) ---- */

/* A V2 line's bound (a 1 MiB value in base64, twice, and the frame around it). */
#define MGMT_MDATA_V2_MAX_LINE (3u << 20)
/* A parsed frame "V2 LEN CRC ID WORD [ARG]": each part points into the line. */
struct mgmt_mdata_v2 {
	const char *id;
	size_t id_len;
	const char *word;
	size_t word_len;
	const char *arg; /* NULL when absent */
	size_t arg_len;
};
uint32_t mgmt_mdata_crc32(const void *buf, size_t len);
char *mgmt_mdata_base64(const void *buf, size_t len);
/* Strict base64 (padding, no stray bits); the result is NUL-terminated too. -EINVAL if bad. */
int mgmt_mdata_unbase64(const char *s, size_t len, char **ret, size_t *ret_len);
/* "V2 LEN CRC ID WORD[ ARG]\n" */
char *mgmt_mdata_v2_frame(const char *id, const char *word, const char *arg);
/* Parse one line (without its newline): -EINVAL unless the length, the CRC and the body's form
 * (ID of 1-8 hex digits, a word, an optional argument) are right. */
int mgmt_mdata_v2_parse(const char *line, size_t len, struct mgmt_mdata_v2 *ret);
/* A parsed request frame as a request of the service; ret's key and value point into *ret_buf
 * (free it). -EINVAL: an unknown command, a missing or extra or undecodable argument. */
int mgmt_mdata_v2_request(const struct mgmt_mdata_v2 *f, struct mgmt_mdata_req *ret,
			  char **ret_buf);
/* What the service answers: status "SUCCESS", "NOTFOUND" or "FAILURE", and the value (or the
 * failure's message), allocated, or NULL. */
struct mgmt_mdata_answer {
	const char *status;
	char *value;
};
void mgmt_mdata_answer_set(struct mgmt_mdata_answer *a, const char *status, const char *value);
typedef void (*mgmt_mdata_handler)(const struct mgmt_mdata_req *q, struct mgmt_mdata_answer *a,
				   void *opaque);
/* Serve version 2 on fd, line after line, each request answered by fn: until fd ends (0) or
 * stop_fd becomes readable (1). */
int mgmt_mdata_v2_serve(int fd, int stop_fd, mgmt_mdata_handler fn, void *opaque);
/* One request through a serial device (a kvm guest's /dev/ttyS1): flush, NEGOTIATE V2, the
 * framed request, its checked answer; as mgmt_mdata_request otherwise. */
int mgmt_mdata_serial_request(const char *device, const char *op, const char *key,
			      const char *value, size_t value_len, char **ret_answer);

/* Serve the VM's metadata until its zone's supervisor ends (the server process's body). */
int mgmt_mdata_serve(const char *uuid);

/* ---- the kvm brand (kvm.c) ---- */

/* The argv of the VMM for a kvm manifest, with the paths it uses as the zone sees them
 * (NULL-terminated; free it with zone_strv_free). */
int mgmt_kvm_argv(json_t *manifest, char ***ret_argv);
/* Send one command (info, stop, pause, resume) to the control socket of the VMM of the running
 * kvm VM uuid, and parse its one-line JSON answer. */
int mgmt_vm_vmm(const char *uuid, const char *command, json_t **ret_reply);
/* The memory cap of a kvm VM's zone: ram plus the VMM's overhead, MiB. */
uint64_t mgmt_kvm_zone_memory(uint64_t ram_mib);

#endif
