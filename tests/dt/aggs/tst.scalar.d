/* sum, avg, min, max, stddev over ten ticks */
#pragma D option quiet
BEGIN
{
	i = 0;
}
tick-10ms
/i < 1000/
{
	@s = sum(i);
	@a = avg(i);
	@mi = min(i);
	@ma = max(i);
	@sd = stddev(i);
	i += 100;
}
tick-10ms
/i == 1000/
{
	exit(0);
}
