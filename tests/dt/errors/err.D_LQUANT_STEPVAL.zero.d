/* lquantize() with a zero step */
BEGIN { @a = lquantize(1, 0, 10, 0); }
