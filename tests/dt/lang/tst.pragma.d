/* options set by pragmas: strsize truncates strings */
#pragma D option quiet
#pragma D option strsize=8
BEGIN
{
	printf("%s\n", "0123456789abcdef");
	exit(0);
}
