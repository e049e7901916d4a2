/* profile-N fires on every CPU, with the interrupted program counter in arg0 or arg1 */
#pragma D option quiet
profile-199
/arg0 != 0 || arg1 != 0/
{
	n++;
}
tick-300ms
{
	printf("%d\n", n > 0);
	exit(0);
}
