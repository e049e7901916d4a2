strtol calls: 1

