/* the default action and trace() in non-quiet mode */
BEGIN
{
}
BEGIN
{
	trace(42);
	trace("text");
	trace((char)1);
}
BEGIN
{
	exit(0);
}
