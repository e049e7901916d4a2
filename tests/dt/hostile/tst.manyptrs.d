/* many pointer reads in one clause stay within the verifier's budget: translated arguments
 * read six times, copied-in memory read thirty times */
/* @@trigger: syscalls 1 */
#pragma D option quiet
syscall::write:entry
/pid == $target/
{
	printf("%s|%s|%s|%s|%s|%s\n", basename(curpsinfo->pr_psargs),
	    basename(curpsinfo->pr_psargs), curpsinfo->pr_fname, basename(curpsinfo->pr_psargs),
	    basename(curpsinfo->pr_psargs), curpsinfo->pr_fname);
	this->p = (int *)copyin(arg1, 4);
	printf("%d\n", *this->p + *this->p + *this->p + *this->p + *this->p + *this->p +
	    *this->p + *this->p + *this->p + *this->p + *this->p + *this->p + *this->p +
	    *this->p + *this->p + *this->p + *this->p + *this->p + *this->p + *this->p +
	    *this->p + *this->p + *this->p + *this->p + *this->p + *this->p + *this->p +
	    *this->p + *this->p + *this->p);
}
