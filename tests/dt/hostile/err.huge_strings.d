/* strings of 4 KiB joined a dozen times exceed the scratch space: refused */
#pragma D option strsize=4096
BEGIN { s = "x"; t = strjoin(strjoin(strjoin(strjoin(strjoin(strjoin(strjoin(strjoin(strjoin(strjoin(strjoin(strjoin(s, s), s), s), s), s), s), s), s), s), s), s), s); trace(t); }
