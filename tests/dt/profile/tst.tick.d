/* tick-N fires on one CPU at its rate */
#pragma D option quiet
tick-20ms
{
	n++;
}
tick-20ms
/n == 5/
{
	printf("%s %s %d\n", probeprov, probename, n);
	exit(0);
}
