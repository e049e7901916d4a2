/* a predicate of string type */
BEGIN /"s"/ { }
