/* llquantize(): logarithmic buckets with linear steps in each magnitude */
#pragma D option quiet
BEGIN
{
	@l = llquantize(1, 10, 0, 2, 10);
	@l = llquantize(7, 10, 0, 2, 10);
	@l = llquantize(25, 10, 0, 2, 10);
	@l = llquantize(250, 10, 0, 2, 10);
	@l = llquantize(5000, 10, 0, 2, 10);
	exit(0);
}
