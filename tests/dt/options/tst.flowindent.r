FUNCTION
 -> basalt_dt_add                                            1
  | basalt_dt_add:entry                                     10
  | basalt_dt_add:return                                    11
 <- basalt_dt_add                         
 -> basalt_dt_add                                            2
  | basalt_dt_add:entry                                     20
  | basalt_dt_add:return                                    22
 <- basalt_dt_add                         
 => exit_group                            

