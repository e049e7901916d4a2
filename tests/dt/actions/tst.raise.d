/* raise() with -w signals the process that fired the probe */
/* @@options: -w */
/* @@trigger: syscalls 3 */
#pragma D option quiet
int done;
syscall::getppid:entry
/pid == $target && !done/
{
	done = 1;
	raise(9);
	printf("signalled\n");
}
