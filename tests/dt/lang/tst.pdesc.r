once 1
omitted dtrace BEGIN

