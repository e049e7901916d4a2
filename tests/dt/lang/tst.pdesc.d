/* several descriptions per clause, globs and omitted fields */
#pragma D option quiet
BEGIN, tick-1s
{
	n++;
}
dtrace:::BEGIN
/n == 1/
{
	printf("once %d\n", n);
}
:::BEGIN
{
	printf("omitted %s %s\n", probeprov, probename);
	exit(0);
}
