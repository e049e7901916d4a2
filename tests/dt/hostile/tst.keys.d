/* keys and aggregated values at the ends of the 64-bit range are fine */
#pragma D option quiet
BEGIN
{
	a[-9223372036854775807 - 1] = 1;
	a[9223372036854775807] = 2;
	@q = quantize(-9223372036854775807 - 1);
	@l = lquantize(-9223372036854775807, 0, 10, 1);
	printf("%d %d\n", a[-9223372036854775807 - 1], a[9223372036854775807]);
	exit(0);
}
