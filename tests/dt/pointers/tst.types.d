/* pointer types: sizes, arithmetic scaled by what is pointed to, differences, globals; byte
 * order swaps */
#pragma D option quiet
BEGIN
{
	printf("%d %d %d %d\n", sizeof(struct timespec), sizeof(int *), sizeof(struct sockaddr_in),
	    sizeof(uint16_t));
	p = (int *)0x1000;
	printf("%x %x %d\n", p + 2, (char *)p + 2, (p + 3) - p);
}
BEGIN
{
	printf("%d %d %d %d %x\n", sizeof(struct sockaddr), sizeof(struct pollfd),
	    sizeof(struct rlimit), sizeof(struct epoll_event), (struct epoll_event *)0x10 + 1);
	printf("%x %x %x %x\n", ntohs(0x1234), htonl(0x12345678), ntohll(0x0102030405060708),
	    htons(0x12345678));
	q = (struct timespec *)0x100;
	printf("%x %x\n", q + 1, (char *)(q + 2) - (char *)q);
	exit(0);
}
