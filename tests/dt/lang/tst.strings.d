/* string comparison and the string subroutines */
#pragma D option quiet
BEGIN
{
	s = "hello";
	t = strjoin(s, ", world");
	printf("%s|%d|%s|%s|%s\n", t, strlen(t), substr(t, 7), substr(t, -5, 3), substr(t, 0, 4));
	printf("%s|%s|%s|%s\n", basename("/usr/lib/libc.so"), dirname("/usr/lib/libc.so"),
	    basename("plain"), dirname("plain"));
	printf("%d %d %d %d\n", s == "hello", s != "hello", "abc" < "abd", t > s);
	printf("%d\n", strlen(""));
	printf("[%s][%s][%d][%d][%d][%d]\n", strchr(t, 'o'), strchr(t, 'z'), index(t, "o"),
	    index(t, "world"), index(t, "xyz"), index(t, "o", 5));
	exit(0);
}
