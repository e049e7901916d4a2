/* an aggregation used with two functions */
BEGIN { @a = count(); @a = sum(1); }
