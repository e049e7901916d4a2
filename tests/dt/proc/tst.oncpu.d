/* sched:::on-cpu names the thread coming on the CPU, off-cpu the one leaving it */
/* @@trigger: syscalls 10 */
#pragma D option quiet
sched:::on-cpu
/pid == $target/
{
	on = execname == "syscalls";
	self->on = 1;
}
sched:::off-cpu
/pid == $target && self->on/
{
	off = execname == "syscalls";
}
END
{
	printf("%d %d\n", on, off);
}
