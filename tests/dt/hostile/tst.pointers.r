[]
read
read

-- @@stderr --
dtrace: script 'tst.pointers.d' matched 5 probes
dtrace: error on enabled probe ID 2 (ID 1: dtrace:::BEGIN): invalid address (0x0) in action #1
