/* a timer's program interrupting system calls on the same CPU leaves their counts exact */
/* @@trigger: syscalls 200000 */
#pragma D option quiet
syscall::getppid:entry
/pid == $target/
{
	@[execname] = count();
}
profile-4999
{
	@p[stack()] = count();
}
END
{
	trunc(@p);
}
