/* SPDX-License-Identifier: MIT */
/*
 * recv_resume.h - the state of a receive that can be resumed (`zfs receive -s`), kept with the
 * dataset it was going into, and the token (`receive_resume_token`, `zfs send -t`) that
 * carries it to the sender. See docs/design-send.md, "Resuming".
 */
#ifndef STOR_RECV_RESUME_H
#define STOR_RECV_RESUME_H

#include <stdbool.h>
#include <stdint.h>

#include "dsl.h"

struct recv_resume {
	uint64_t toguid;   /* the snapshot the substream produces */
	uint64_t fromguid; /* the snapshot it applies to; 0 for a full substream */
	uint64_t records;  /* records after BEGIN already applied */
	uint64_t object;   /* the object those records left off in; 0 if none */
	uint64_t bytes;	   /* stream bytes of those records (informational) */
	bool created;	   /* the receive created the dataset: aborting destroys it */
	char *toname;	   /* the sender's name of the snapshot, pool/fs@snap */
};

void recv_resume_clear(struct recv_resume *rs); /* frees toname */

/* The state kept with head (pool lock held): -ENOENT when there is none. */
int recv_resume_load(dsl_dataset_t *head, struct recv_resume *ret);
int recv_resume_store(dsl_dataset_t *head, const struct recv_resume *rs);
int recv_resume_remove(dsl_dataset_t *head);
bool recv_resume_pending(dsl_dataset_t *head); /* a state is kept (or cannot be read) */

/* The token of a state, and back; a token that does not parse is -EINVAL with a message. */
char *recv_resume_token(const struct recv_resume *rs);
int recv_resume_token_parse(const char *token, struct recv_resume *ret);

#endif
