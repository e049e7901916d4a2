from system 7

