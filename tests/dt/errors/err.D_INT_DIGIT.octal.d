/* a digit that is not octal */
BEGIN { x = 09; }
