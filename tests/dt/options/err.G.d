/* -G: no object file to generate; one line, exit status 2 */
/* @@options: -G */
BEGIN
{
	exit(0);
}
