query-start select 1 0
query-start select 1 1
2 ticks, enabled 2 times

