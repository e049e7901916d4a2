/* bufinfo_t, devinfo_t and fileinfo_t of io:::start and io:::done (a block request does not
 * know its file: fileinfo_t's strings are "<unknown>", as DTrace on Linux has them) */
/* @@trigger: iowrite */
#pragma D option quiet
int started;
int finished;

io:::start
/!started/
{
	started = 1;
	printf("start: %d %d %d %d\n", args[0]->b_bcount > 0,
	    args[0]->b_flags == 0x40 || args[0]->b_flags == 0x100, args[0]->b_blkno >= 0,
	    strlen(args[1]->dev_statname) > 0);
}
io:::done
/started && !finished/
{
	finished = 1;
	printf("done: %d %s %s %d\n", args[1]->dev_major > 0 || args[1]->dev_minor >= 0,
	    args[1]->dev_pathname, args[2]->fi_pathname, args[2]->fi_offset);
}
