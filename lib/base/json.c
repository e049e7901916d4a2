// SPDX-License-Identifier: MIT
/*
 * json.c - JSON input and output on top of jansson: the one way Basalt prints JSON (indented,
 * keys sorted, so output is stable for users and tests) and parses it (errors with line and
 * column, recorded as the thread's error message).
 */
#include <basalt/json.h>

void bs_json_decrefp(json_t **j)
{
	if (*j)
		json_decref(*j);
	*j = NULL;
}

int bs_json_print(FILE *f, json_t *j)
{
	if (json_dumpf(j, f, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY) < 0)
		return -EIO;
	if (fputc('\n', f) == EOF)
		return -EIO;
	return 0;
}

int bs_json_parse(const char *text, const char *what, json_t **ret_json)
{
	json_error_t err;
	json_t *j;

	j = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		return bs_error(EINVAL, "%s: invalid JSON at line %d column %d: %s",
				what ? what : "input", err.line, err.column, err.text);
	*ret_json = j;
	return 0;
}
