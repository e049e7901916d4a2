/* integer keys of several widths print in their own columns */
#pragma D option quiet
BEGIN
{
	@a[(char)1, (short)2, 3, 4L] = count();
	@b[-1] = sum(-1);
	exit(0);
}
