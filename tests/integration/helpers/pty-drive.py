#!/usr/bin/env python3
"""pty-drive.py - run a command on a new pseudo-terminal and talk to it, as a user at a
terminal would: each step either sends text or waits for text to appear in the output.
Exits with the command's exit status, or 99 (after printing the output seen) when an expected
text does not show up within the time limit, which only guards against hanging forever.

usage: pty-drive.py STEP... -- COMMAND [ARG...]
  send:TEXT    write TEXT (\\r and \\n escapes understood)
  expect:TEXT  wait until TEXT appears in the output read since the previous expect
  run:CMD      run the shell command CMD (not on the pty) and go on if it succeeds
"""
import os
import pty
import select
import subprocess
import sys
import time

LIMIT = 30.0


def main():
    sep = sys.argv.index("--")
    steps, cmd = sys.argv[1:sep], sys.argv[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    seen = b""
    for step in steps:
        kind, text = step.split(":", 1)
        data = text.encode().decode("unicode_escape").encode()
        if kind == "send":
            os.write(fd, data)
            continue
        if kind == "run":
            if subprocess.run(text, shell=True).returncode != 0:
                sys.stdout.write("pty-drive: %r failed\n" % text)
                os.kill(pid, 9)
                sys.exit(99)
            continue
        deadline = time.monotonic() + LIMIT
        while data not in seen:
            left = deadline - time.monotonic()
            r, _, _ = select.select([fd], [], [], max(left, 0))
            if not r:
                sys.stdout.write("pty-drive: no %r in output:\n%s\n" % (text, seen.decode(errors="replace")))
                os.kill(pid, 9)
                sys.exit(99)
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                sys.stdout.write("pty-drive: output ended before %r:\n%s\n" % (text, seen.decode(errors="replace")))
                sys.exit(99)
            seen += chunk
        seen = seen[seen.index(data) + len(data):]
    # drain until the command ends
    while True:
        try:
            r, _, _ = select.select([fd], [], [], LIMIT)
            if not r or not os.read(fd, 4096):
                break
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)


main()
