/*
 * vtimestamp is the thread's time on a CPU: across a sleep of 200 ms it grows by far less than
 * timestamp, and it never grows by more than timestamp.
 * @@trigger: /bin/sleep 0.2
 */
#pragma D option quiet

syscall::clock_nanosleep:entry,
syscall::nanosleep:entry
/pid == $target/
{
	self->v = vtimestamp;
	self->t = timestamp;
}

syscall::clock_nanosleep:return,
syscall::nanosleep:return
/self->t/
{
	this->wall = timestamp - self->t;
	this->oncpu = vtimestamp - self->v;
	printf("slept 150 ms or more: %d\n", this->wall >= 150000000);
	printf("on a CPU for less than half of it: %d\n", this->oncpu < this->wall / 2);
	printf("on a CPU for some time: %d\n", this->oncpu > 0);
	self->t = 0;
}
