/* index() searches for a constant: a computed substring is refused */
BEGIN { t = "o"; x = index("hello", t); }
