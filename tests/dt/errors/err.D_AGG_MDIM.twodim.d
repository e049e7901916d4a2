/* aggregations have one dimension */
BEGIN { @a[1][2] = count(); }
