/* twenty levels of nesting still compile and run */
#pragma D option quiet
BEGIN { x = 1; printf("%d\n", (x + (x + (x + (x + (x + (x + (x + (x + (x + (x + (x + (x + (x + (x + (x + (x + (x + (x + (x + (x + 1))))))))))))))))))))); exit(0); }
