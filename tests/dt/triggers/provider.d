/*
 * provider.d - the provider of the hdrprobe trigger, turned into provider.h by `dtrace -h` at
 * build time: a probe with a string and an integer, one with no arguments, and one with the
 * count of query-start firings that found their probe enabled.
 */
provider basalt_hdr {
	probe query__start(char *, int);
	probe tick(void);
	probe done(int);
};
