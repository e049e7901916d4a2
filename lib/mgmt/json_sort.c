// SPDX-License-Identifier: MIT
/*
 * json_sort.c - a stable sort of a JSON array in place, by a comparison of two elements, for the
 * orders vmadm prints (validation errors by name, VMs by creation time or by `list -s`). The
 * arrays are small (a VM's properties, a host's VMs), so an insertion sort serves.
 */
#include <basalt/mgmt.h>

void mgmt_json_sort(json_t *a, int (*cmp)(json_t *x, json_t *y, void *arg), void *arg)
{
	size_t n = json_array_size(a);

	for (size_t i = 1; i < n; i++)
		for (size_t j = i;
		     j > 0 && cmp(json_array_get(a, j - 1), json_array_get(a, j), arg) > 0; j--) {
			json_t *t = json_incref(json_array_get(a, j));

			json_array_set(a, j, json_array_get(a, j - 1));
			json_array_set_new(a, j - 1, t);
		}
}
