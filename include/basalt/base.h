/* SPDX-License-Identifier: MIT */
/*
 * base.h - the libc-only helpers every Basalt library and command shares: cleanup attributes,
 * error and assertion macros, the per-thread error message, logging, string, size, path and fd
 * helpers, identifiers, and the state directory. Depends on nothing but libc.
 */
#ifndef BASALT_BASE_H
#define BASALT_BASE_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- attributes and small macros ---- */
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
/* A case that goes on into the next, for -Wimplicit-fallthrough with gcc and clang alike. */
#define fallthrough __attribute__((__fallthrough__))
#define _noreturn_ __attribute__((noreturn))
#define _packed_ __attribute__((packed))
#define _likely_(x) __builtin_expect(!!(x), 1)
#define _unlikely_(x) __builtin_expect(!!(x), 0)
#define _cleanup_(f) __attribute__((cleanup(f)))

/* clang-format 14 would print "(x) - 1" as "(x)-1", taking it for a cast of a negation. */
/* clang-format off */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define IS_P2(x) (((x) & ((x) - 1)) == 0)
#define P2ALIGN(x, a) ((x) & -(a))
#define P2ROUNDUP(x, a) (-(-(x) & -(a)))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
/* clang-format on */

void bs_freep(void *p);
void bs_closep(int *fd);
void bs_fclosep(FILE **f);
#define _cleanup_free_ _cleanup_(bs_freep)
#define _cleanup_close_ _cleanup_(bs_closep)
#define _cleanup_fclose_ _cleanup_(bs_fclosep)

/* Take ownership of a pointer (or fd) so that its cleanup attribute does nothing. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _tp = (p);                                                           \
		(p) = NULL;                                                                        \
		_tp;                                                                               \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _tf = (fd);                                                                    \
		(fd) = -1;                                                                         \
		_tf;                                                                               \
	})

/* ---- assertions: VERIFY always, ASSERT in debug builds (documenting contracts) ---- */
_noreturn_ void bs_assert_fail(const char *expr, const char *file, int line, const char *func);
#define VERIFY(x) ((void)(_likely_(x) || (bs_assert_fail(#x, __FILE__, __LINE__, __func__), 0)))
#define VERIFY0(x) VERIFY((x) == 0)
#ifdef NDEBUG
#define ASSERT(x) ((void)0)
#else
#define ASSERT(x) VERIFY(x)
#endif

/* ---- errors: negative errno plus a per-thread message that says what went wrong ----
 * A library function that fails for a reason a user must read calls bs_error(), which records
 * the message and returns -err, so `return bs_error(ENOENT, "pool '%s' does not exist", n);`.
 * The command prints bs_error_msg() once, at the top. */
_printf_(2, 3) int bs_error(int err, const char *fmt, ...);
const char *bs_error_msg(void); /* the last message, or strerror of the last bs_error code */
void bs_error_clear(void);
/* the message for r (< 0): bs_error_msg() if one was set for this code, else strerror(-r) */
const char *bs_strerror(int r);

/* ---- logging: to stderr, prefixed with the program name; level from BASALT_LOG ---- */
enum bs_log_level { BS_LOG_ERR, BS_LOG_WARN, BS_LOG_INFO, BS_LOG_DEBUG };
void bs_log_init(const char *progname);
_printf_(2, 3) void bs_log(enum bs_log_level level, const char *fmt, ...);
#define log_err(...) bs_log(BS_LOG_ERR, __VA_ARGS__)
#define log_warn(...) bs_log(BS_LOG_WARN, __VA_ARGS__)
#define log_info(...) bs_log(BS_LOG_INFO, __VA_ARGS__)
#define log_debug(...) bs_log(BS_LOG_DEBUG, __VA_ARGS__)

/* ---- memory: abort on out-of-memory, as a daemon cannot do useful work without it ---- */
void *bs_malloc(size_t n);
void *bs_zalloc(size_t n);
void *bs_realloc(void *p, size_t n);
/* n bytes at an address that is a multiple of align (a power of two), freed with free() */
void *bs_malloc_aligned(size_t align, size_t n);
char *bs_strdup(const char *s);
_printf_(1, 2) char *bs_asprintf(const char *fmt, ...);

/* ---- strings ---- */
static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}
bool bs_startswith(const char *s, const char *prefix);
bool bs_endswith(const char *s, const char *suffix);
/* Copy with truncation check: -ENAMETOOLONG if src does not fit. */
int bs_strlcpy(char *dst, const char *src, size_t size);
/* Parse an unsigned decimal integer, whole string, no sign: -EINVAL or -ERANGE. */
int bs_parse_u64(const char *s, uint64_t *ret);
/* Parse a size with an optional binary suffix (B K M G T P E, optional "B"/"iB"): "1.5G". */
int bs_size_parse(const char *s, uint64_t *ret);
/* Format a size as OpenZFS prints it: 3 significant digits, 1024-based: 0B 512B 96K 1.50G 12.3T.
 * buf must hold BS_SIZE_BUF bytes. Returns buf. */
#define BS_SIZE_BUF 16
char *bs_size_format(char *buf, uint64_t n);

/* ---- fds and paths ---- */
int bs_read_full(int fd, void *buf, size_t n); /* -EIO on short read (EOF) */
int bs_write_full(int fd, const void *buf, size_t n);
int bs_pread_full(int fd, void *buf, size_t n, uint64_t off); /* zero-fills past EOF: no */
int bs_pwrite_full(int fd, const void *buf, size_t n, uint64_t off);
/* Read a whole file (NUL-terminated for convenience, the NUL not counted in ret_len). */
int bs_read_file(const char *path, char **ret_buf, size_t *ret_len);
/* Write a whole file atomically: temp file in the same dir, fsync, rename, fsync dir. */
int bs_write_file_atomic(const char *path, const void *buf, size_t len, int mode);
/* The same without the fsyncs: readers see the old or the new content, never a mix, but a
 * power cut may lose either. For run-time state that does not outlive the machine. */
int bs_replace_file(const char *path, const void *buf, size_t len, int mode);
int bs_mkdir_p(const char *path, int mode);
char *bs_path_join(const char *a, const char *b);

/* ---- identifiers ---- */
uint64_t bs_random_u64(void); /* getrandom(2), never 0 */
#define BS_UUID_STR 37
void bs_uuid_generate(char out[BS_UUID_STR]); /* random (v4) uuid, lowercase text */
bool bs_uuid_valid(const char *s);

/* ---- time ---- */
uint64_t bs_now_ns(void); /* CLOCK_REALTIME in nanoseconds */
uint64_t bs_monotonic_ns(void);

/* ---- the state directory: BASALT_ROOT, default /var/lib/basalt ---- */
const char *bs_root_dir(void);
/* bs_root_dir() joined with a relative path; caller frees. */
char *bs_root_path(const char *rel);

#endif
