/* an aggregation key of another type */
BEGIN { @a["x"] = count(); @a[1] = count(); }
