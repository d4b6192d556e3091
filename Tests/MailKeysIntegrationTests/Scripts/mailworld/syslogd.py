#!/usr/bin/python3
"""Tiny syslog receiver for mailworld.sh: OpenDKIM logs only through syslog(3), i.e. to /dev/log.

  syslogd.py SOCKET=LOGFILE [SOCKET=LOGFILE ...]

Binds each SOCKET (a unix datagram socket, mode 0666) and appends every message it receives to
its LOGFILE, one line each. mailworld.sh starts each OpenDKIM instance in a private mount
namespace whose /dev/log is a symlink to that instance's SOCKET, so no global /dev/log is
created or needed and two worlds never share a log. The sockets are bound by a relative name
after chdir(2), so a long WORK path does not hit the 108-byte sun_path limit. SIGTERM: unlink the
sockets and exit.
"""
import os
import selectors
import signal
import socket
import sys


def main():
    pairs = [a.split("=", 1) for a in sys.argv[1:]]
    if not pairs or any(len(p) != 2 for p in pairs):
        sys.exit(__doc__)
    sel = selectors.DefaultSelector()
    paths = []
    cwd = os.getcwd()
    for sock_path, log_path in pairs:
        sock_path = os.path.abspath(sock_path)
        log = open(os.path.abspath(log_path), "a", buffering=1)
        if os.path.lexists(sock_path):
            os.unlink(sock_path)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        os.chdir(os.path.dirname(sock_path))
        s.bind(os.path.basename(sock_path))
        os.chmod(os.path.basename(sock_path), 0o666)
        os.chdir(cwd)
        paths.append(sock_path)
        sel.register(s, selectors.EVENT_READ, log)

    def stop(*_):
        for p in paths:
            try:
                os.unlink(p)
            except OSError:
                pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        for key, _ in sel.select():
            data = key.fileobj.recv(65536).decode("utf-8", "replace").rstrip("\n\0")
            # "<PRI>Mon dd hh:mm:ss tag[pid]: msg": drop the priority
            if data.startswith("<") and ">" in data[:5]:
                data = data[data.index(">") + 1:]
            key.data.write(data + "\n")


if __name__ == "__main__":
    main()
