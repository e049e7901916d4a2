// SPDX-License-Identifier: MIT
/*
 * fuzz_zone_config.c - fuzz target for a zone's configuration, the JSON an operator (and later
 * vmadm) hands to zonecfg: any input must be refused with an error or give a configuration that
 * prints back to JSON which parses again to the same configuration; never a crash or a leak.
 */
#include <basalt/json.h>
#include <basalt/zone.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = bs_malloc(size + 1);
	_cleanup_json_ json_t *j = NULL, *out = NULL, *again = NULL;
	_cleanup_zone_config_ struct zone_config *c = NULL, *c2 = NULL;

	memcpy(text, data, size);
	text[size] = '\0';
	if (bs_json_parse(text, "fuzz", &j) < 0 || zone_config_from_json(j, NULL, &c) < 0)
		return 0;
	out = zone_config_to_json(c);
	VERIFY0(zone_config_from_json(out, c->zonename, &c2));
	again = zone_config_to_json(c2);
	VERIFY(json_equal(out, again));
	return 0;
}
