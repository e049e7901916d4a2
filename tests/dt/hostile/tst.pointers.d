/* hostile pointers: an empty copy, a size past the copy's area, a forged address of the
 * scratch area, an offset far past a copy; faults are errors, nothing else happens */
#pragma D option quiet
BEGIN
{
	printf("[%s]\n", stringof(copyin(0, 0)));
}
BEGIN
{
	this->p = copyin(0, -1);
	printf("not reached\n");
}
BEGIN
{
	x = *(long *)0x5c00000000000000;
	printf("read\n");
}
BEGIN
{
	this->q = (long *)copyin(0, 0) + 100000;
	x = *this->q;
	printf("read\n");
}
BEGIN
{
	exit(0);
}
