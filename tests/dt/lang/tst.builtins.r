1 1 1 global
dtrace:::BEGIN
1 1
0 1

