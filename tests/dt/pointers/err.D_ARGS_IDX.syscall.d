syscall::getppid:entry { trace(args[0]); }
