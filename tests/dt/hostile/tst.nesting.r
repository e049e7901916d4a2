
  syscalls                                                     200000
