/* exit() of a string */
BEGIN { exit("no"); }
