/* exit() ends tracing after the clause; END runs; the status is dtrace's */
#pragma D option quiet
BEGIN
{
	printf("begin\n");
	exit(0);
	printf("same clause still runs\n");
}
END
{
	printf("end\n");
}
