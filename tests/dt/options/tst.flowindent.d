/* -F: entries indent, returns go back; a second clause on the same probe is not an entry */
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
}
syscall::exit_group:entry
/pid == $target/
{
}
