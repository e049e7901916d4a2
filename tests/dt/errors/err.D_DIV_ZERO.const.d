/* division by a constant zero */
BEGIN { x = 1 / 0; }
