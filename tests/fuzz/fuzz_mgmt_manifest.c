// SPDX-License-Identifier: MIT
/*
 * fuzz_mgmt_manifest.c - fuzz target for what vmadm and imgadm read from users: a VM payload
 * (validated for create and for an update of each brand; a valid create made into a manifest,
 * which the same input then updates, and, for kvm, into the VMM's command line) and an image
 * manifest. Any input must be refused with an error or accepted consistently: a payload that
 * validates is normalized, never a crash or a leak.
 */
#include <basalt/json.h>
#include <basalt/mgmt.h>
#include <basalt/zone.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = bs_malloc(size + 1), *msg = NULL;
	_cleanup_json_ json_t *j = NULL, *errors = NULL, *m = NULL;
	int valid;

	memcpy(text, data, size);
	text[size] = '\0';
	if (bs_json_parse(text, "fuzz", &j) < 0)
		return 0;
	mgmt_image_manifest_check(j);
	for (int brand = 0; brand <= MGMT_BRAND_KVM; brand++) {
		_cleanup_json_ json_t *e = NULL;

		if (mgmt_validate(MGMT_UPDATE, j, brand, &e) == -EINVAL && e) {
			char *s = mgmt_validate_message(e);

			free(s);
		}
	}
	valid = mgmt_validate(MGMT_CREATE, j, -1, &errors);
	if (valid < 0) {
		if (errors) {
			msg = mgmt_validate_message(errors);
			VERIFY(bs_startswith(msg, "invalid payload:"));
		}
		return 0;
	}
	VERIFY0(mgmt_manifest_normalize(j, &m));
	mgmt_manifest_update(m, j);
	if (streq(json_string_value(json_object_get(m, "brand")), "kvm")) {
		char **argv = NULL;

		if (mgmt_kvm_argv(m, &argv) == 0)
			zone_strv_free(argv);
	}
	return 0;
}
