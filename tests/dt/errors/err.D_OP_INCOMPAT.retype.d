/* a variable assigned a string after an integer */
BEGIN { x = 1; x = "s"; }
