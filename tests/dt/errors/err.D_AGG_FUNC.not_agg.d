/* an aggregation assigned a plain value */
BEGIN { @a = 1; }
