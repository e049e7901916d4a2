profile tick-20ms 5

