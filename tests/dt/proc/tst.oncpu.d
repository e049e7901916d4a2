/* sched:::on-cpu names the thread coming on the CPU (curpsinfo too), off-cpu the one leaving
 * it */
/* @@trigger: syscalls 10 */
#pragma D option quiet
sched:::on-cpu
/pid == $target/
{
	on = execname == "syscalls";
	oncur = curpsinfo->pr_pid == pid && curlwpsinfo->pr_lwpid == tid &&
	    curpsinfo->pr_fname == "syscalls";
	self->on = 1;
}
sched:::off-cpu
/pid == $target && self->on/
{
	off = execname == "syscalls";
}
END
{
	printf("%d %d %d\n", on, oncur, off);
}
