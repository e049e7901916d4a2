struct a { int x; }; struct a { int y; }; BEGIN { exit(0); }
