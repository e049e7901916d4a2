/* a function the binary does not have */
/* @@trigger: ufunc 1 */
pid$target:a.out:basalt_no_such_function:entry
{
}
