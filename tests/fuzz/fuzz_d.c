// SPDX-License-Identifier: MIT
/*
 * fuzz_d.c - fuzz target for the D compiler's front end: every input is compiled as a script
 * (lexer, parser, semantic checks, probe matching), once as a script and once as -n text, and
 * read as a provider definition for `dtrace -h`. A D program is untrusted input: whatever the
 * bytes, the compiler must accept them or report one D error; it must never crash, hang or
 * leak. Nothing is loaded into the kernel.
 */
#include <basalt/base.h>
#include <basalt/dt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[] = { (char *)"fuzz", (char *)"42", (char *)"word" };
	_cleanup_free_ char *src = bs_malloc(size + 1);
	struct dt_options opts;
	struct dt_program *p = NULL;
	struct dt_diag diag;
	FILE *null;

	memcpy(src, data, size);
	src[size] = 0;
	dt_options_init(&opts);
	for (int spec = 0; spec < 2; spec++) {
		if (dt_program_compile(src, spec, &opts, 3, argv, 0, &diag, &p) == 0) {
			VERIFY(dt_program_matches(p) < 100000);
			dt_program_free(p);
			p = NULL;
		} else {
			VERIFY(diag.tag[0] == 'D' && diag.tag[1] == '_');
		}
	}
	null = fopen("/dev/null", "we");
	VERIFY(null);
	if (dt_header_write(src, "fuzz.h", null, &diag) < 0)
		VERIFY(streq(diag.tag, "D_SYNTAX"));
	fclose(null);
	return 0;
}
