struct a { string s; }; BEGIN { exit(0); }
