syscall::write:entry { trace(*copyin(arg1, 4)); }
