/* quantize() with DTrace's histogram columns */
#pragma D option quiet
BEGIN
{
	@q = quantize(0);
	@q = quantize(1);
	@q = quantize(2);
	@q = quantize(3);
	@q = quantize(100);
	@q = quantize(1000, 4);
	@n = quantize(-3);
	@n = quantize(5);
	exit(0);
}
