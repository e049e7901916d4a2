/* %d given a string */
BEGIN { printf("%d", "s"); }
