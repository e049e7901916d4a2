42 5 11 0 3 45 str one 

