/* args[] beyond the last argument */
syscall::read:entry { trace(args[12]); }
