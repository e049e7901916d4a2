/* SPDX-License-Identifier: MIT */
/*
 * recv_resume.c - a receive that can be resumed. `zfs receive -s` that fails part-way keeps
 * what it applied and records, in the dataset's properties (the internal entry
 * "%receive_resume", written in the same txg as the records it counts), how far it got. The
 * token `zfs get receive_resume_token` shows is that state for the sender: a version, a
 * checksum and the state as hex-encoded JSON, so that it survives shells and copy and paste.
 * Numbers are decimal strings: guids use all 64 bits.
 */
#include <string.h>

#include <basalt/base.h>

#include "recv_resume.h"
#include "sha256.h"
#include "zap.h"

#define RESUME_ENTRY "%receive_resume"
#define TOKEN_VERSION "1"
#define TOKEN_MAX (4 * ZAP_MAXVALUELEN)

void recv_resume_clear(struct recv_resume *rs)
{
	free(rs->toname);
	memset(rs, 0, sizeof(*rs));
}

static void put_u64(json_t *j, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	json_object_set_new(j, key, json_string(buf));
}

static int get_u64(json_t *j, const char *key, uint64_t *ret)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s ? bs_parse_u64(s, ret) : -EINVAL;
}

/* The state as JSON; with_created: as kept (the token leaves out what only the receiver uses) */
static char *to_json(const struct recv_resume *rs, bool with_created)
{
	json_t *j = json_object();
	char *text;

	put_u64(j, "toguid", rs->toguid);
	put_u64(j, "fromguid", rs->fromguid);
	put_u64(j, "records", rs->records);
	put_u64(j, "object", rs->object);
	put_u64(j, "bytes", rs->bytes);
	json_object_set_new(j, "toname", json_string(rs->toname ? rs->toname : ""));
	if (with_created)
		json_object_set_new(j, "created", json_boolean(rs->created));
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	VERIFY(text);
	return text;
}

static int from_json(const char *text, size_t len, struct recv_resume *ret)
{
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	struct recv_resume rs = { 0 };
	const char *name;
	int r = -EINVAL;

	if (!json_is_object(j))
		goto out;
	name = json_string_value(json_object_get(j, "toname"));
	if (!name || !strchr(name, '@') || strlen(name) >= ZAP_MAXNAMELEN)
		goto out;
	if (get_u64(j, "toguid", &rs.toguid) < 0 || get_u64(j, "fromguid", &rs.fromguid) < 0 ||
	    get_u64(j, "records", &rs.records) < 0 || get_u64(j, "object", &rs.object) < 0 ||
	    get_u64(j, "bytes", &rs.bytes) < 0 || rs.toguid == 0)
		goto out;
	rs.created = json_is_true(json_object_get(j, "created"));
	rs.toname = bs_strdup(name);
	*ret = rs;
	r = 0;
out:
	json_decref(j);
	return r;
}

int recv_resume_load(dsl_dataset_t *head, struct recv_resume *ret)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = dsl_prop_internal_get(head, RESUME_ENTRY, &text);
	if (r < 0)
		return r;
	if (from_json(text, strlen(text), ret) < 0)
		return -EIO;
	return 0;
}

bool recv_resume_pending(dsl_dataset_t *head)
{
	struct recv_resume rs;
	int r = recv_resume_load(head, &rs);

	if (r == 0)
		recv_resume_clear(&rs);
	return r != -ENOENT;
}

int recv_resume_store(dsl_dataset_t *head, const struct recv_resume *rs)
{
	_cleanup_free_ char *text = to_json(rs, true);

	return dsl_prop_internal_set(head, RESUME_ENTRY, text);
}

int recv_resume_remove(dsl_dataset_t *head)
{
	return dsl_prop_internal_remove(head, RESUME_ENTRY);
}

static void checksum_hex(const char *text, size_t len, char out[17])
{
	uint8_t md[32];

	sha256(text, len, md);
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

char *recv_resume_token(const struct recv_resume *rs)
{
	_cleanup_free_ char *text = to_json(rs, false);
	size_t len = strlen(text);
	char ck[17], *token, *p;

	checksum_hex(text, len, ck);
	token = bs_malloc(sizeof(TOKEN_VERSION) + 1 + 16 + 1 + 2 * len + 1);
	p = token + sprintf(token, TOKEN_VERSION "-%s-", ck);
	for (size_t i = 0; i < len; i++)
		p += sprintf(p, "%02x", (unsigned char)text[i]);
	return token;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int recv_resume_token_parse(const char *token, struct recv_resume *ret)
{
	size_t hexlen, len, i;
	_cleanup_free_ char *text = NULL;
	const char *hex;
	char ck[17];

	if (strncmp(token, TOKEN_VERSION "-", 2) != 0 || strlen(token) < 2 + 16 + 1 ||
	    token[2 + 16] != '-')
		goto bad;
	hex = token + 2 + 16 + 1;
	hexlen = strlen(hex);
	if (hexlen == 0 || hexlen % 2 || hexlen > TOKEN_MAX)
		goto bad;
	len = hexlen / 2;
	text = bs_malloc(len + 1);
	for (i = 0; i < len; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			goto bad;
		text[i] = (char)(hi << 4 | lo);
	}
	text[len] = 0;
	checksum_hex(text, len, ck);
	if (memcmp(ck, token + 2, 16) != 0)
		return bs_error(EINVAL, "the resume token is damaged (checksum mismatch)");
	if (from_json(text, len, ret) < 0)
		goto bad;
	ret->created = false;
	return 0;
bad:
	return bs_error(EINVAL, "invalid resume token; it is the value of the destination's "
				"receive_resume_token property");
}
