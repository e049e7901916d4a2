/* a newline in a string */
BEGIN { trace("a
b"); }
