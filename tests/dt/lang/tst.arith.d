/* C integer semantics: promotions, division and modulo of negatives, shifts, casts */
#pragma D option quiet
BEGIN
{
	a = 7;
	b = -2;
	printf("%d %d %d %d %d\n", a + b, a - b, a * b, a / b, a % b);
	printf("%d %d %d\n", a << 3, -16 >> 2, (unsigned int)-16 >> 28);
	printf("%d %d %d\n", a & 3, a | 8, a ^ 5);
	printf("%d %d %d\n", (char)300, (short)70000, (unsigned char)-1);
	printf("%d %u\n", 2147483647 + 1, (unsigned int)4294967295 + 1);
	printf("%d %d %d\n", !a, ~a, -a);
	printf("%d\n", sizeof(int) + sizeof(long) + sizeof(char));
	exit(0);
}
