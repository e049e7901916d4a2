/* raise() is destructive: refused without -w */
BEGIN
{
	raise(9);
}
