// SPDX-License-Identifier: MIT
/*
 * error.c - the per-thread error message and the assertion failure path. Errors travel as
 * negative errno values; bs_error() also records a sentence for the user, so that the command
 * at the top can print what went wrong without every layer passing strings around.
 */
#include <basalt/base.h>

#define ERROR_MSG_MAX 512

static __thread char error_msg[ERROR_MSG_MAX];
static __thread int error_code;	      /* positive errno of the last bs_error(), 0 if none */
static __thread char unknown_msg[32]; /* "Unknown error N" for codes libc has no text for */

static const char *errno_text(int err)
{
	const char *s = strerrordesc_np(err);

	if (s)
		return s;
	snprintf(unknown_msg, sizeof(unknown_msg), "Unknown error %d", err);
	return unknown_msg;
}

int bs_error(int err, const char *fmt, ...)
{
	va_list ap;

	if (err < 0)
		err = -err;
	VERIFY(err > 0);
	va_start(ap, fmt);
	vsnprintf(error_msg, sizeof(error_msg), fmt, ap);
	va_end(ap);
	error_code = err;
	return -err;
}

const char *bs_error_msg(void)
{
	if (error_msg[0])
		return error_msg;
	if (error_code)
		return errno_text(error_code);
	return "no error";
}

void bs_error_clear(void)
{
	error_msg[0] = '\0';
	error_code = 0;
}

const char *bs_strerror(int r)
{
	if (r < 0)
		r = -r;
	if (error_code && error_code == r && error_msg[0])
		return error_msg;
	return errno_text(r);
}

void bs_assert_fail(const char *expr, const char *file, int line, const char *func)
{
	fprintf(stderr, "basalt: assertion failed: %s at %s:%d (%s)\n", expr, file, line, func);
	fflush(stderr);
	abort();
}
