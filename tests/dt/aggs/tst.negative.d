/* min, max and avg of negative values */
#pragma D option quiet
BEGIN
{
	@mi = min(-5);
	@mi = min(-50);
	@ma = max(-5);
	@ma = max(-50);
	@av = avg(-10);
	@av = avg(-20);
	@su = sum(-7);
	exit(0);
}
