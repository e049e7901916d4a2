/* count() without a key and keyed by tuples, printed at exit sorted by value */
#pragma D option quiet
BEGIN
{
	@a = count();
	@a = count();
	@b["x", 1] = count();
	@b["y", 2] = count();
	@b["y", 2] = count();
	@b["a", 3] = count();
	exit(0);
}
