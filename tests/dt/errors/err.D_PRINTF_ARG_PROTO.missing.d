/* a conversion without its argument */
BEGIN { printf("%d %d", 1); }
