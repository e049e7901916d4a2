a.out:main:start
work i=1 sq=1 
work i=2 sq=4 
work i=3 sq=9 
done-now 14

