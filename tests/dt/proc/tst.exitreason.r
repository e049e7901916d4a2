true 1

