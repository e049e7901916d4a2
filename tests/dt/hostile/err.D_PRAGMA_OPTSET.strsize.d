/* a strsize beyond the limit is refused */
#pragma D option strsize=100000000
BEGIN { }
