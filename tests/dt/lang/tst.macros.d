/* $1..$n macro arguments, $$1 as a string, $target absent is 0 */
/* @@args: 42 hello */
#pragma D option quiet
BEGIN
{
	printf("%d %s %s %d\n", $1 + 1, $$2, $$1, $target);
	exit(0);
}
