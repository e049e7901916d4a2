/* args[] in a clause on every system call: calls with fewer arguments do not stop it, the
 * argument is then a 64-bit integer */
/* @@trigger: syscalls 1 */
#pragma D option quiet
syscall:::entry
/pid == $target && probefunc == "write"/
{
	printf("%s %d %d\n", probefunc, args[0] > 2, args[2]);
}
