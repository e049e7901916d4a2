a.out:entry basalt_dt_add(1, 10)
a.out:entry basalt_dt_add(2, 20)
a.out:entry basalt_dt_add(3, 30)

               11                1
               22                1
               33                1
