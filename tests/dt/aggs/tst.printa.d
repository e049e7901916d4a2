/* printa() with and without a format, keys of several types */
#pragma D option quiet
BEGIN
{
	@c["read", 3] = count();
	@c["write", 1] = count();
	@c["write", 1] = count();
	@s["bytes"] = sum(4096);
	printa(@c);
	printa("%-8s %4d -> %@d\n", @c);
	printa("%s=%@u\n", @s);
	exit(0);
}
