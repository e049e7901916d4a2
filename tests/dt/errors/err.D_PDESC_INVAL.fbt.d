/* fbt needs kprobes or fentry */
fbt::vfs_read:entry { }
