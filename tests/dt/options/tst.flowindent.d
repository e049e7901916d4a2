/* -F: entries indent, returns go back; a second clause on the same probe is not an entry, and
 * of two clauses on a return only the last goes back */
/* @@trigger: ufunc 2 */
/* @@options: -F */
pid$target:a.out:basalt_dt_add:entry
{
	trace(arg0);
}
pid$target:a.out:basalt_dt_add:entry
{
	trace(arg1);
}
pid$target:a.out:basalt_dt_add:return
{
	trace(arg1);
}
pid$target:a.out:basalt_dt_add:return
{
}
syscall::exit_group:entry
/pid == $target/
{
}
