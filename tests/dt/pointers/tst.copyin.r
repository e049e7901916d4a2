openat(-100, /dev/null)
hello
heo 4
1819043176 27756
6568 6c6c 6865
he hello
openat(-100, /dev/zero)

