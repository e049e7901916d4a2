hello, world|12|world|wor|hell
libc.so|/usr/lib|plain|.
1 0 1 1
0
[o, world][][4][7][-1][8]

