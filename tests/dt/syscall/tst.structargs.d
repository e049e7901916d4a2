/* a system call argument that points to a struct __kernel_timespec is a struct timespec *,
 * its members read from the process */
/* @@trigger: /bin/sleep 0.25 */
#pragma D option quiet
syscall::clock_nanosleep:entry
/pid == $target/
{
	printf("%d %d\n", args[2]->tv_sec, args[2]->tv_nsec);
}
