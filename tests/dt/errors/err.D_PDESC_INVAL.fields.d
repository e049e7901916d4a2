/* five fields */
a:b:c:d:e { }
