/* proc: create, exec-success, signal-send and exit around a fork, an exec and a kill */
/* @@trigger: spawn */
#pragma D option quiet
proc:::create
/pid == $target/
{
	@["create"] = count();
}
proc:::exec-success
/ppid == $target/
{
	@[strjoin("exec ", execname)] = count();
}
proc:::signal-send
/pid == $target && arg0 == 10/
{
	@["signal SIGUSR1"] = count();
}
proc:::exit
/ppid == $target/
{
	@["exit of the child"] = count();
}
