BEGIN { trace(pid->pr_pid); }
