
  create                                                            1
  exec true                                                         1
  exit of the child                                                 1
  signal SIGUSR1                                                    1
