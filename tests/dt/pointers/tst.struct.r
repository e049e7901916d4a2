[he] [] a6f 14 16
[he] a6f

