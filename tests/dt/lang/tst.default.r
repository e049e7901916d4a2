                   FUNCTION:NAME
                          :BEGIN 
                          :BEGIN          42  text                                1
                          :BEGIN 

