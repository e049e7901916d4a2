create: child 1, parent 1, spawn, spawn
signal 10 to itself: 1 1
exec: [true] [true] 1 1 1 1

