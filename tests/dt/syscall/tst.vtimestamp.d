/*
 * vtimestamp over a loop of system calls: the loop's time on a CPU grows, and never by more
 * than the time that passed.
 * @@trigger: syscalls 200000
 */
#pragma D option quiet

self uint64_t t;

syscall::getppid:entry
/pid == $target && !self->t/
{
	/* timestamp first here, vtimestamp first at the end: the clocks are read in the order
	 * that makes "on a CPU no longer than the time passed" exact */
	self->t = timestamp;
	self->v = vtimestamp;
}

syscall::exit_group:entry
/self->t/
{
	this->oncpu = vtimestamp - self->v;
	printf("on a CPU: %d, no longer than the time passed: %d\n", this->oncpu > 0,
	    this->oncpu <= timestamp - self->t);
}
