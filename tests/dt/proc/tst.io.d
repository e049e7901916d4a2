/* io: start and done fire for a block request; the trigger writes a file and flushes it to the disk */
/* @@trigger: iowrite */
#pragma D option quiet
io:::start
{
	start++;
}
io:::done
{
	done++;
}
END
{
	printf("%d %d\n", start > 0, done > 0);
}
