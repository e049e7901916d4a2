/* built-in variables in a BEGIN clause */
#pragma D option quiet
BEGIN
{
	printf("%d %d %d %s\n", pid == $pid, tid > 0, execname == "basalt" || execname == "dtrace", zonename);
	printf("%s:%s:%s:%s\n", probeprov, probemod, probefunc, probename);
	printf("%d %d\n", timestamp > 0, walltimestamp > 1600000000000000000);
	printf("%d %d\n", uid, ppid > 0);
	exit(0);
}
