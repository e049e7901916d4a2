/* comparisons, &&, ||, ^^ (with short-circuit), ?: */
#pragma D option quiet
BEGIN
{
	x = 0;
	printf("%d %d %d %d\n", 1 < 2, 2 <= 1, -1 < 0, (unsigned int)-1 > 0);
	printf("%d %d %d\n", 1 && 0, 1 || 0, 1 ^^ 1);
	printf("%d\n", x != 0 && 10 / x > 1);
	printf("%s %d\n", x == 0 ? "zero" : "nonzero", x ? 5 : 6);
	exit(0);
}
