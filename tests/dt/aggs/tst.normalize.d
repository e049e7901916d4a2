/* normalize() divides the printed values; denormalize() undoes it */
#pragma D option quiet
BEGIN
{
	@a["x"] = sum(1000);
	@a["y"] = sum(3000);
	normalize(@a, 100);
	printa(@a);
	denormalize(@a);
	printa(@a);
	exit(0);
}
