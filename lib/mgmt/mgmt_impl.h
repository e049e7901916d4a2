/* SPDX-License-Identifier: MIT */
/*
 * mgmt_impl.h - what lib/mgmt's files share and commands do not see: where a VM's manifest and
 * datasets are, the metadata service's host side, and the kvm brand's preparation of a VM.
 */
#ifndef BASALT_MGMT_IMPL_H
#define BASALT_MGMT_IMPL_H

#include <basalt/mgmt.h>

/* POOL/UUID; caller frees. */
char *mgmt_vm_ds(const char *uuid);
int mgmt_vm_manifest_path(const char *uuid, char **ret);
/* The stored manifest, without the live properties. */
int mgmt_vm_manifest_read(const char *uuid, json_t **ret);
int mgmt_vm_manifest_write(json_t *m);
/* The zone root of a VM: root/ in its dataset's mountpoint. */
int mgmt_vm_zoneroot(const char *uuid, char **ret);

/* Copy src to dst (mode), unless dst is as big and as new already (copy.c). */
int mgmt_copy_file(const char *src, const char *dst, int mode);

/* ---- IMGAPI sources (image_http.c) ---- */
/* The manifests an IMGAPI server (its base URL) lists under /images. */
int mgmt_image_http_list(const char *source, json_t **ret);
/* Image uuid's manifest and its file, downloaded to a temporary file (*ret_file, which the
 * caller removes); -ENOENT when the server does not have it. */
int mgmt_image_http_fetch(const char *source, const char *uuid, json_t **ret_m, char **ret_file);

/* ---- metadata (mdata.c) ---- */
/* The directory that holds a VM's metadata socket, bound into its zone at MGMT_MDATA_ZONE_DIR;
 * caller frees. */
char *mgmt_mdata_dir(const char *uuid);
void mgmt_mdata_remove(const char *uuid);
/* Prepare the directory (the socket's, and the mdata tools the zone runs from it). */
int mgmt_mdata_start(json_t *m);
/* After the zone booted: start the VM's metadata server, and run the user-script at the VM's
 * first boot. */
int mgmt_mdata_first_boot(json_t *m);
/* Stop the VM's metadata server. */
void mgmt_mdata_stop(const char *uuid);

/* ---- the kvm brand (kvm.c) ---- */
/* The socket of the guest's COM2 in the zone's /vm, which the metadata server connects to. */
#define MGMT_KVM_METADATA_NAME "metadata.sock"
/* Check a kvm manifest's disks and kernel against the host and the installed images. */
int mgmt_kvm_check(json_t *m);
/* Create the volumes of the disks that have none yet (clones of zvol images, or empty), each
 * named POOL/UUID-diskN, recording its zfs_filesystem and path in the manifest. */
int mgmt_kvm_disks_create(json_t *m);
/* Destroy the volumes of the disks that are not in keep (NULL: all). */
int mgmt_kvm_disks_destroy(json_t *disks, json_t *keep);
/* Connect to the socket name (under /vm) of the VMM in the zone whose root is root, following
 * no link the zone made. */
int mgmt_kvm_connect(const char *root, const char *name, int *ret_fd);
/* One command to the control socket of the VMM in the zone whose root is root; its answer. */
int mgmt_kvm_control(const char *root, const char *command, json_t **ret_reply);
/* Fill a kvm VM's zone root: the VMM binary, the kernel, /disks and /vm. */
int mgmt_kvm_prepare(json_t *m, const char *root);

#endif
