/* structures a script defines: C's layout, char arrays read as strings, members read from a
 * copy or straight from the process, a structure pointing to its own kind */
/* @@trigger: syscalls 1 */
#pragma D option quiet
struct msg {
	char tag[3];
	short n;
	char text[8];
};
struct node {
	long v;
	struct node *next;
};
syscall::write:entry
/pid == $target/
{
	this->m = (struct msg *)copyin(arg1, 6);
	printf("[%s] [%s] %x %d %d\n", this->m->tag, this->m->text, this->m->n,
	    sizeof(struct msg), sizeof(struct node));
	m = (struct msg *)arg1;
	printf("[%s] %x\n", m->tag, (*m).n);
}
