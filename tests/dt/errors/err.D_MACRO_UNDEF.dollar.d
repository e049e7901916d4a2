/* a macro argument not given */
BEGIN { trace($3); }
