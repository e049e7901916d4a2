/* bad addresses in copyin(), copyinstr(), stringof() and *: an error for the clause, which
 * stops there; dtrace:::ERROR sees the fault (1) and the address */
#pragma D option quiet
BEGIN
{
	x = *(int *)copyin(0, 4);
	printf("not reached\n");
}
BEGIN
{
	printf("%s\n", copyinstr(-1));
}
BEGIN
{
	printf("%d\n", *(int *)16);
}
BEGIN
{
	printf("%s\n", stringof((char *)8));
}
BEGIN
{
	this->p = (long *)copyin(0x1000, 8);
}
ERROR
{
	printf("fault %d at %x in action %d\n", arg4, arg5, arg2);
}
tick-100ms
{
	exit(0);
}
