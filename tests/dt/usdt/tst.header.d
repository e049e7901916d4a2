/* dtrace -h: the probes of a header generated from a provider definition, and their
 * is-enabled semaphore */
/* @@trigger: hdrprobe 2 */
#pragma D option quiet
basalt_hdr$target:::query-start
{
	printf("%s %s %d\n", probename, copyinstr(arg0), arg1);
}
basalt_hdr$target:::tick
{
	ticks++;
}
basalt_hdr$target:::done
{
	printf("%d ticks, enabled %d times\n", ticks, arg0);
}
