/* args[] of execve: the path (char *) and argv (char *const *), whose elements are addresses */
/* @@trigger: spawn */
#pragma D option quiet
syscall::execve:entry
/ppid == $target/
{
	printf("%s [%s] %d\n", copyinstr(args[0]), copyinstr(args[1][0]), args[1][1]);
}
