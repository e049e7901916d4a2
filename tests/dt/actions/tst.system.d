/* system() runs a command from the consumer */
/* @@options: -w */
#pragma D option quiet
BEGIN
{
	system("echo from system %d", 7);
	exit(0);
}
