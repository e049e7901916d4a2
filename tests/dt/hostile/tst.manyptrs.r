syscalls 1|syscalls 1|syscalls|syscalls 1|syscalls 1|syscalls
-1263279568

