/* SPDX-License-Identifier: MIT */
/*
 * json.h - the JSON helpers: stable printing and parsing with readable errors, on jansson.
 * Commands print `--json` output with bs_json_print(); libraries parse manifests with
 * bs_json_parse().
 */
#ifndef BASALT_JSON_H
#define BASALT_JSON_H

#include <jansson.h>

#include <basalt/base.h>

void bs_json_decrefp(json_t **j);
#define _cleanup_json_ _cleanup_(bs_json_decrefp)

/* Print j to f, indented by 2, keys sorted, then a newline. -EIO on a write error. */
int bs_json_print(FILE *f, json_t *j);
/* Parse text; what names the input in the error message ("manifest", a path). On failure
 * returns -EINVAL with the message "what: invalid JSON at line L column C: reason". */
int bs_json_parse(const char *text, const char *what, json_t **ret_json);

#endif
