ERROR on 2, fault 4

-- @@stderr --
dtrace: script 'tst.error.d' matched 4 probes
dtrace: error on enabled probe ID 2 (ID 1: dtrace:::BEGIN): divide-by-zero in action #1
