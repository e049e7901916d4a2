43 hello 42 0

