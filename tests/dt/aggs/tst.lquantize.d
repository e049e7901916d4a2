/* lquantize() with the underflow and overflow buckets */
#pragma D option quiet
BEGIN
{
	@l = lquantize(-1, 0, 100, 10);
	@l = lquantize(5, 0, 100, 10);
	@l = lquantize(15, 0, 100, 10);
	@l = lquantize(15, 0, 100, 10);
	@l = lquantize(100, 0, 100, 10);
	@k["key"] = lquantize(42, 0, 100, 10);
	exit(0);
}
