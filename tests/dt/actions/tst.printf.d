/* printf conversions: flags, widths, precisions, * arguments, characters, %% */
#pragma D option quiet
BEGIN
{
	printf("[%5d][%-5d][%05d][%+d][%x][%X][%o][%#x]\n", 42, 42, 42, 42, 255, 255, 8, 255);
	printf("[%10s][%-10s][%.3s][%*d][%c][%%][%u]\n", "right", "left", "truncate", 6, 7, 65, -1);
	printf("[%lld][%lu][%i]\n", -9223372036854775807 - 1, 18446744073709551615, -3);
	exit(0);
}
