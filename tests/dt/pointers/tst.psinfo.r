create: child 1, parent 1, spawn, spawn: 1
exec: [true] [true] 1 1 1 1: 1
signal 10 to itself: 1 1: 1

