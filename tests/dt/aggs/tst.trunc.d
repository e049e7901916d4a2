/* trunc() to the largest entries, then to none; clear() keeps keys with zero values */
#pragma D option quiet
BEGIN
{
	@a["a"] = sum(1);
	@a["b"] = sum(2);
	@a["c"] = sum(3);
	@a["d"] = sum(4);
	trunc(@a, 2);
	printa(@a);
	@b["x"] = count();
	@b["y"] = count();
	clear(@b);
	printa(@b);
	trunc(@b);
	printa(@b);
	exit(0);
}
