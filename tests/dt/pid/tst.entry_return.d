/* pid provider: entry with the arguments, return with the value (arg1), on a.out */
/* @@trigger: ufunc 3 */
#pragma D option quiet
pid$target:a.out:basalt_dt_add:entry
{
	printf("%s:%s %s(%d, %d)\n", probemod, probename, probefunc, arg0, arg1);
}
pid$target:a.out:basalt_dt_add:return
{
	@[arg1] = count();
}
