fault 1 at 0 in action 1
fault 1 at ffffffffffffffff in action 1
fault 1 at 10 in action 1
fault 1 at 8 in action 1
fault 1 at 1000 in action 1

-- @@stderr --
dtrace: script 'tst.badaddr.d' matched 7 probes
dtrace: error on enabled probe ID 1 (ID 1: dtrace:::BEGIN): invalid address (0x0) in action #1
dtrace: error on enabled probe ID 2 (ID 1: dtrace:::BEGIN): invalid address (0xffffffffffffffff) in action #1
dtrace: error on enabled probe ID 3 (ID 1: dtrace:::BEGIN): invalid address (0x10) in action #1
dtrace: error on enabled probe ID 4 (ID 1: dtrace:::BEGIN): invalid address (0x8) in action #1
dtrace: error on enabled probe ID 5 (ID 1: dtrace:::BEGIN): invalid address (0x1000) in action #1
