/* a string compared with an integer */
BEGIN { x = "a" == 1; }
