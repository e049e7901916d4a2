
  write                                                             1
  getppid                                                           5
