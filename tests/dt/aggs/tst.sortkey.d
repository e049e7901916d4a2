/* aggsortkey and aggsortrev */
#pragma D option quiet
#pragma D option aggsortkey
#pragma D option aggsortrev
BEGIN
{
	@a[1] = sum(30);
	@a[3] = sum(10);
	@a[2] = sum(20);
	exit(0);
}
