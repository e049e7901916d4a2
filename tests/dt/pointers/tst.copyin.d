/* copyin() and copyinstr() of system call arguments, typed args[], pointers into the copy */
/* @@trigger: syscalls 1 */
#pragma D option quiet
syscall::openat:entry
/pid == $target/
{
	printf("openat(%d, %s)\n", args[0], copyinstr(args[1]));
}
syscall::write:entry
/pid == $target/
{
	this->p = (char *)copyin(arg1, 6);
	printf("%s", stringof(this->p));
	printf("%c%c%c %d\n", *this->p, this->p[1], *(this->p + 4), (this->p + 4) - this->p);
	printf("%d %d\n", *(int *)copyin(arg1, 4), *(short *)(this->p + 2));
	this->s = (struct sockaddr_in *)copyin(args[1], 4);
	printf("%x %x %x\n", this->s->sin_family, (*this->s).sin_port, ntohs(this->s->sin_family));
	printf("%c%c %s", *(char *)arg1, ((char *)args[1])[1], stringof(args[1]));
}
