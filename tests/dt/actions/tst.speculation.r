call 1 done
call 2 speculated
call 2 done
call 3 done
call 4 speculated
call 4 done

