/* pid provider with -c: a function of a library (libc's strtol, which atoi() becomes), mapped
 * by the loader after the exec the command is held at */
/* @@trigger: ufunc 3 */
#pragma D option quiet
pid$target:libc.so.6:strtol:entry
{
	@calls = count();
}
END
{
	printa("strtol calls: %@d\n", @calls);
}
