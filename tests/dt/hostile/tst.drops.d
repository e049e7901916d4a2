/* a buffer too small for what the probes write: drops are reported, nothing breaks */
/* @@trigger: syscalls 20000 */
#pragma D option quiet
#pragma D option bufsize=4k
syscall::getppid:entry
/pid == $target/
{
	printf("%s %s %s %s\n", execname, execname, execname, execname);
}
