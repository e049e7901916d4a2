start: 1 1 1 1
done: 1 <unknown> <unknown> 0

