/* a string cast to an integer */
BEGIN { x = (int)"s"; }
