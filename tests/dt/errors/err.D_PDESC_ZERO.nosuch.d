/* a description that matches no probe */
syscall::no_such_call:entry { }
