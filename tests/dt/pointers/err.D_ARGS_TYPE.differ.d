sched:::enqueue, proc:::create { trace(args[0]->pr_pid); }
