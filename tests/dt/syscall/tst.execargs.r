/bin/true [true] 0

