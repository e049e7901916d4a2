/* syscall::getppid:entry fires once per call of the trigger */
/* @@trigger: syscalls 25 */
#pragma D option quiet
syscall::getppid:entry
/pid == $target/
{
	@ = count();
}
