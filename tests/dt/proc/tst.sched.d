/* sched: on-cpu and off-cpu fire as threads switch; wakeup as they are woken */
#pragma D option quiet
sched:::on-cpu
{
	on++;
}
sched:::off-cpu
{
	off++;
}
sched:::wakeup
{
	wake++;
}
tick-200ms
{
	printf("%d %d %d\n", on > 0, off > 0, wake > 0);
	exit(0);
}
