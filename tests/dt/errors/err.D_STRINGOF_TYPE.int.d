/* stringof() of an integer: there are no pointers to read here */
BEGIN { x = stringof(1); }
