/* a variable read before any assignment */
BEGIN { trace(never_set); }
