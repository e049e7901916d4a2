/* proc:::exit's args[0]: why the process exited (CLD_EXITED 1, CLD_KILLED 2, CLD_DUMPED 3) */
/* @@trigger: spawn */
#pragma D option quiet
proc:::exit
/ppid == $target/
{
	printf("%s %d\n", execname, args[0]);
}
