/* strings do not add */
BEGIN { x = "a" + "b"; }
