a.out:main:start
work i=1 sq=1 working
work i=2 sq=4 working
work i=3 sq=9 working
done-now 14

