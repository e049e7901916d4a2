
  syscalls                                                     200000

              vmlinux`htab_map_get_next_key+0xac
              vmlinux`__sys_bpf+0x15db
              vmlinux`__x64_sys_bpf+0x1d
              vmlinux`do_syscall_64+0x71
              vmlinux`entry_SYSCALL_64_after_hwframe+0x76
                1

              vmlinux`finish_task_switch.isra.0+0x93
              vmlinux`__schedule+0x3d4
              vmlinux`schedule+0x23
              vmlinux`futex_do_wait+0x46
              vmlinux`__futex_wait+0x8a
              vmlinux`futex_wait+0x67
              vmlinux`do_futex+0xfd
              vmlinux`__x64_sys_futex+0x112
              vmlinux`do_syscall_64+0x71
              vmlinux`entry_SYSCALL_64_after_hwframe+0x76
                1

              vmlinux`pv_native_safe_halt+0xb
              vmlinux`default_idle+0x5
              vmlinux`default_enter_idle+0x1b
              vmlinux`cpuidle_enter_state+0x73
              vmlinux`cpuidle_enter+0x2d
              vmlinux`do_idle+0x136
              vmlinux`cpu_startup_entry+0x25
              vmlinux`rest_init+0xcc
              vmlinux`start_kernel+0x73d
              vmlinux`__pfx_clear_bss+0x0
              vmlinux`x86_64_start_kernel+0xd1
              vmlinux`common_startup_64+0x13b
                1

              vmlinux`htab_map_get_next_key+0xaf
              vmlinux`__sys_bpf+0x15db
              vmlinux`__x64_sys_bpf+0x1d
              vmlinux`do_syscall_64+0x71
              vmlinux`entry_SYSCALL_64_after_hwframe+0x76
                2
