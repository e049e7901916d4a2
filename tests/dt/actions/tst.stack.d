/* stack() and ustack() load, run and print (the frames depend on the kernel and the libc) */
/* @@trigger: syscalls 3 */
#pragma D option quiet
syscall::getppid:entry
/pid == $target/
{
	stack();
	ustack();
}
