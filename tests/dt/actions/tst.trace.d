/* trace() of every integer width and of strings, quiet */
#pragma D option quiet
BEGIN
{
	trace((char)-1);
	trace(" ");
	trace((unsigned short)65535);
	trace(" ");
	trace(-2147483648);
	trace(" ");
	trace(18446744073709551615);
	trace("\n");
	exit(0);
}
