/* speculate() needs a speculation id */
BEGIN { speculate("x"); }
