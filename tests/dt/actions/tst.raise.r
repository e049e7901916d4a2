signalled

