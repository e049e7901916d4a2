/* pid provider: an instruction offset in the function (0 is its first instruction) */
/* @@trigger: ufunc 2 */
#pragma D option quiet
pid$target:a.out:basalt_dt_add:0
{
	@[probename] = count();
}
