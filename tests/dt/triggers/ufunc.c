// SPDX-License-Identifier: MIT
/*
 * ufunc.c - a trigger for D tests of the pid provider: calls basalt_dt_add(i, 10 * i) for i in
 * 1..N (default 5), a function kept out of line so that a uprobe can be placed on it.
 */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int basalt_dt_add(int a, int b);
__attribute__((noinline)) int basalt_dt_add(int a, int b)
{
	__asm__ volatile("" ::: "memory");
	return a + b;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 5, sum = 0;

	for (int i = 1; i <= n; i++)
		sum += basalt_dt_add(i, 10 * i);
	return sum == 55 * n * (n + 1) / 10 ? 0 : 1;
}
