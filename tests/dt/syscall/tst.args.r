write(0, buf, 63)
returned 63 errno 0 write:return

