/* one raw_syscalls attachment serves syscall:::entry and names each call */
/* @@trigger: syscalls 5 */
#pragma D option quiet
syscall:::entry
/pid == $target && (probefunc == "getppid" || probefunc == "write")/
{
	@[probefunc] = count();
}
