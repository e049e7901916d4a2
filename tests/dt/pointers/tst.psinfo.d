/* psinfo_t and lwpsinfo_t: proc:::create's child, curpsinfo at exec, signal-send's target */
/* @@trigger: spawn */
#pragma D option quiet
proc:::create
/pid == $target/
{
	@create[args[0]->pr_pid != pid, args[0]->pr_ppid == pid, args[0]->pr_fname,
	    basename(args[0]->pr_psargs)] = count();
}
proc:::exec-success
/ppid == $target/
{
	@exec[curpsinfo->pr_psargs, curpsinfo->pr_fname, curpsinfo->pr_pid == pid,
	    curpsinfo->pr_ppid == ppid, curpsinfo->pr_uid == uid,
	    curlwpsinfo->pr_lwpid == tid] = count();
}
proc:::signal-send
/pid == $target && args[2] == 10/
{
	@signal[args[2], args[1]->pr_pid == pid, args[0]->pr_lwpid == tid] = count();
}
END
{
	printa("create: child %d, parent %d, %s, %s: %@d\n", @create);
	printa("exec: [%s] [%s] %d %d %d %d: %@d\n", @exec);
	printa("signal %d to itself: %d %d: %@d\n", @signal);
}
