start: 1 1 1 1
done: 1

