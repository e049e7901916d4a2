slept 150 ms or more: 1
on a CPU for less than half of it: 1
on a CPU for some time: 1

