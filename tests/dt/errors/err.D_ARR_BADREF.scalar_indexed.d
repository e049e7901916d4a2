/* a scalar indexed as an array */
BEGIN { x = 1; x[1] = 2; }
