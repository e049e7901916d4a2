on a CPU: 1, no longer than the time passed: 1

