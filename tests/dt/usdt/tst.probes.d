/* usdt: sys/sdt.h probes of a program, their arguments (registers), "__" named "-" */
/* @@trigger: usdt 3 */
#pragma D option quiet
basalt_test$target:::start
{
	printf("%s:%s:%s\n", probemod, probefunc, probename);
}
basalt_test$target:::work
{
	printf("%s i=%d sq=%d %s\n", probename, arg0, arg1, copyinstr(arg2));
}
basalt_test$target:a.out:main:done-now
{
	printf("%s %d\n", probename, arg0);
}
