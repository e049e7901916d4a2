/* entry arguments, the return value, errno */
/* @@trigger: syscalls 1 */
#pragma D option quiet
syscall::write:entry
/pid == $target/
{
	printf("write(%d, buf, %d)\n", arg0 > 2, arg2);
	self->in = 1;
}
syscall::write:return
/self->in/
{
	printf("returned %d errno %d %s:%s\n", arg0, errno, probefunc, probename);
	self->in = 0;
}
syscall::read:entry
/pid == $target && arg2 == 4/
{
	self->buf = arg1;
}
syscall::read:return
/self->buf/
{
	printf("read %d: %s\n", arg0, copyinstr(self->buf) == "" ? "zeroes" : "data");
	self->buf = 0;
}
