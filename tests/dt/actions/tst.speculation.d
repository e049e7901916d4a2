/* speculations: records held until commit() shows them or discard() drops them */
/* @@trigger: syscalls 4 */
#pragma D option quiet
syscall::getppid:entry
/pid == $target/
{
	self->spec = speculation();
	n++;
	speculate(self->spec);
	printf("call %d speculated\n", n);
}
syscall::getppid:entry
/pid == $target && self->spec && n % 2 == 0/
{
	commit(self->spec);
	self->spec = 0;
}
syscall::getppid:entry
/pid == $target && self->spec/
{
	discard(self->spec);
	self->spec = 0;
}
syscall::getppid:entry
/pid == $target/
{
	printf("call %d done\n", n);
}
