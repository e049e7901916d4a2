/* division by zero at run time: an error for that clause, the others go on */
#pragma D option quiet
BEGIN
{
	zero = 0;
}
BEGIN
{
	x = 10 / zero;
	printf("not reached\n");
}
BEGIN
{
	y = 10 % zero;
}
BEGIN
{
	printf("still running\n");
	exit(0);
}
