#!/usr/bin/python3
"""Submit one message to the sending Postfix of mailworld.sh, and wait for its fate.

  send.py submit TAG
      Run inside the world's network namespace. Sends From alice@example.org To bob@example.org,
      Subject "mailworld TAG", Message-Id <TAG.NANOSECONDS@example.org>, over SMTP to
      127.0.0.1:2525. Prints "QUEUEID MESSAGE-ID" (from "250 2.0.0 Ok: queued as QUEUEID").
      Exit 4 when the server refuses it (a tempfailing milter: 451 4.7.1), the reply on stderr.

  send.py wait WORK QUEUEID MESSAGE-ID OFFSET TIMEOUT
      Reads WORK/tx/maillog from byte OFFSET until the delivery attempt of QUEUEID ends.
      sent:              waits for the file in WORK/rx/mail/inbox/{new,cur} that carries
                         MESSAGE-ID, prints its path, then the smtp(8) TLS line of that delivery
                         ("Verified TLS connection established to mail.example.org[127.0.0.2]:25:
                         TLSv1.3 ..."; "no TLS connection logged" if none); exit 0.
      deferred/bounced:  prints that attempt's log lines (the queue id's lines and those of the
                         smtp(8) process in between, e.g. "num=65:no matching DANE TLSA records")
                         on stderr; exit 3.
      timeout:           prints the queue id's lines so far on stderr; exit 1.
      A message already in the maildir (delivered before OFFSET) counts as sent.
"""
import os
import re
import smtplib
import sys
import time
from email.utils import formatdate


def submit(tag):
    msgid = "<%s.%d@example.org>" % (tag, time.time_ns())
    body = (
        "From: Alice <alice@example.org>\r\n"
        "To: Bob <bob@example.org>\r\n"
        "Subject: mailworld %s\r\n"
        "Date: %s\r\n"
        "Message-Id: %s\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        "Hello from the loopback mail world (%s).\r\n"
        "A second line, so that the body hash covers more than one line.\r\n"
    ) % (tag, formatdate(localtime=False, usegmt=True), msgid, tag)
    try:
        s = smtplib.SMTP("127.0.0.1", 2525, local_hostname="client.test", timeout=30)
        s.ehlo()
        code, resp = s.mail("alice@example.org")
        if code == 250:
            code, resp = s.rcpt("bob@example.org")
        if code in (250, 251):
            code, resp = s.data(body.encode())
        try:
            s.quit()
        except smtplib.SMTPException:
            pass
    except (OSError, smtplib.SMTPException) as e:
        print("send: SMTP to 127.0.0.1:2525 failed: %s" % e, file=sys.stderr)
        sys.exit(4)
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    m = re.search(r"queued as ([0-9A-Za-z]+)", text)
    if code != 250 or not m:
        print("send: the sender refused the message: %d %s" % (code, text), file=sys.stderr)
        sys.exit(4)
    print(m.group(1), msgid)


def find_delivered(work, msgid):
    needle = msgid.encode()
    for sub in ("new", "cur"):
        d = os.path.join(work, "rx", "mail", "inbox", sub)
        try:
            names = os.listdir(d)
        except FileNotFoundError:
            continue
        for n in names:
            p = os.path.join(d, n)
            try:
                with open(p, "rb") as f:
                    head = f.read(65536)
            except OSError:
                continue
            header = head.split(b"\n\n", 1)[0]
            if needle in header:
                return p
    return None


STATUS = re.compile(r"postfix/[\w/-]+\[(\d+)\]: ([0-9A-Za-z]+): to=<[^>]*>,.* status=(\w+)")
TLS = re.compile(r"postfix/[\w/-]+\[(\d+)\]: ((?:Verified|Trusted|Untrusted|Anonymous) TLS connection established to .*)")


def attempt_lines(lines, qid, pid, end):
    """The lines of one delivery attempt: the queue id's lines, and those of the delivering
    process since the queue id first appears."""
    start = next((i for i, l in enumerate(lines) if (" %s: " % qid) in l), end)
    tag = "[%s]: " % pid
    return [l for l in lines[start:end + 1] if (" %s: " % qid) in l or tag in l]


def tls_line(lines, pid, end):
    tag = "[%s]: " % pid
    for l in reversed(lines[:end + 1]):
        m = TLS.search(l)
        if m and tag in l:
            return m.group(2)
        if " connect to " in l and tag in l:
            break
    return "no TLS connection logged"


def wait(work, qid, msgid, offset, timeout):
    log = os.path.join(work, "tx", "maillog")
    deadline = time.monotonic() + timeout
    while True:
        with open(log, "rb") as f:
            raw = f.read()
        first_new = raw[:offset].count(b"\n")  # index of the first line at or after OFFSET
        lines = raw.decode("utf-8", "replace").splitlines()
        path = find_delivered(work, msgid)
        last = last_new = None  # (index, pid, status) of the last verdict for qid: any / since OFFSET
        for i, l in enumerate(lines):
            m = STATUS.search(l)
            if m and m.group(2) == qid:
                last = (i, m.group(1), m.group(3))
                if i >= first_new:
                    last_new = last
        verdict = last_new or (last if path and last and last[2] == "sent" else None)
        if verdict and verdict[2] == "sent" and path:
            print(path)
            print(tls_line(lines, verdict[1], verdict[0]))
            return 0
        if verdict and verdict[2] != "sent":
            for l in attempt_lines(lines, qid, verdict[1], verdict[0]):
                print(l, file=sys.stderr)
            return 3
        if time.monotonic() > deadline:
            print("send: no delivery verdict for %s %s within %g s; its sender log lines:" % (qid, msgid, timeout),
                  file=sys.stderr)
            for l in lines:
                if (" %s: " % qid) in l:
                    print(l, file=sys.stderr)
            if verdict:
                print("send: the sender says sent, but no file with %s in %s/rx/mail/inbox; receiver log tail:"
                      % (msgid, work), file=sys.stderr)
                try:
                    with open(os.path.join(work, "rx", "maillog"), errors="replace") as f:
                        for l in f.read().splitlines()[-15:]:
                            print(l, file=sys.stderr)
                except OSError:
                    pass
            return 1
        time.sleep(0.1)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "submit":
        submit(sys.argv[2])
    elif len(sys.argv) == 7 and sys.argv[1] == "wait":
        sys.exit(wait(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
