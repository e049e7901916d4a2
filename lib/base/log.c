// SPDX-License-Identifier: MIT
/*
 * log.c - diagnostics to stderr, one line each, prefixed with the program name. The level comes
 * from BASALT_LOG (err, warn, info, debug; default warn). This is the only module of the
 * libraries that writes to a terminal.
 */
#include <basalt/base.h>

static char log_progname[64] = "basalt";
static int log_level = -1; /* -1: not read from the environment yet */

static int level_from_env(void)
{
	const char *s = getenv("BASALT_LOG");

	if (!s || !*s)
		return BS_LOG_WARN;
	if (streq(s, "err") || streq(s, "error"))
		return BS_LOG_ERR;
	if (streq(s, "warn") || streq(s, "warning"))
		return BS_LOG_WARN;
	if (streq(s, "info"))
		return BS_LOG_INFO;
	if (streq(s, "debug"))
		return BS_LOG_DEBUG;
	return BS_LOG_WARN;
}

void bs_log_init(const char *progname)
{
	if (progname) {
		const char *slash = strrchr(progname, '/');

		snprintf(log_progname, sizeof(log_progname), "%s", slash ? slash + 1 : progname);
	}
	__atomic_store_n(&log_level, level_from_env(), __ATOMIC_RELAXED);
}

void bs_log(enum bs_log_level level, const char *fmt, ...)
{
	int max = __atomic_load_n(&log_level, __ATOMIC_RELAXED);
	char line[1024];
	va_list ap;
	int saved = errno;
	int n, m;

	if (max < 0) {
		max = level_from_env();
		__atomic_store_n(&log_level, max, __ATOMIC_RELAXED);
	}
	if ((int)level > max)
		return;

	n = snprintf(line, sizeof(line), "%s: ", log_progname);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n = MIN(n + m, (int)sizeof(line) - 2);
	line[n++] = '\n';
	/* one write, so that lines from several threads or processes do not interleave */
	if (write(STDERR_FILENO, line, n) < 0) {
		/* nowhere left to report a failure to report */
	}
	errno = saved;
}
