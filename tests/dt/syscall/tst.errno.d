/* errno on a failing call: cat opening a missing file gets ENOENT (2) */
/* @@trigger: /bin/cat /nonexistent-basalt-dt */
#pragma D option quiet
syscall::openat:entry
/(pid == $target || ppid == $target) && copyinstr(arg1) == "/nonexistent-basalt-dt"/
{
	self->watch = 1;
}
syscall::openat:return
/self->watch/
{
	printf("%d %d\n", errno, arg0);
	self->watch = 0;
}
