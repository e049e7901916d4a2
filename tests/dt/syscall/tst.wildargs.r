write 1 6

