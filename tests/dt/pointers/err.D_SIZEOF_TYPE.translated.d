BEGIN { trace(sizeof(psinfo_t)); }
