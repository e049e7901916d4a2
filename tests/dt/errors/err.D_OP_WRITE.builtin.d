/* a built-in variable is not writable */
BEGIN { pid = 1; }
