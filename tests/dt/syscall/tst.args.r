write(1, buf, 6)
returned 6 errno 0 write:return
read 4: zeroes

