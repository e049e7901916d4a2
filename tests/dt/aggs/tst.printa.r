
  read                                                      3                1
  write                                                     1                2
read        3 -> 1
write       1 -> 2
bytes=4096

