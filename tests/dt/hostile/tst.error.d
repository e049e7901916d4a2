/* dtrace:::ERROR runs after a fault: arg1 is the enabled probe, arg4 the fault (4: divide) */
#pragma D option quiet
BEGIN
{
	zero = 0;
}
BEGIN
{
	x = 1 / zero;
}
ERROR
{
	printf("ERROR on %d, fault %d\n", arg1, arg4);
}
tick-100ms
{
	exit(0);
}
