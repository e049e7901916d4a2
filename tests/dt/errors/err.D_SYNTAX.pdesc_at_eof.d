/* a probe description at the very end of the input, without a body */
syscall::read: