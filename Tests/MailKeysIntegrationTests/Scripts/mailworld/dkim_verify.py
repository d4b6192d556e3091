#!/usr/bin/python3
"""Verify every DKIM-Signature of a message with dkimpy (python3-dkim), for mailworld.sh.

  dkim_verify.py MESSAGE [SERVER [PORT]]        (defaults: 127.0.0.1 53 = the world's unbound)

Run inside the world's network namespace. Each key (selector._domainkey TXT) is fetched from the
validating resolver with the DO bit and must come back with the AD flag: an answer that unbound
did not validate with the world's trust anchor fails that signature. Prints one line per
signature, in header order:

  a=<algorithm> s=<selector> pass <d=domain, key bits/type>
  a=<algorithm> s=<selector> fail <reason>

Exit 0 only when there is at least one signature and every one passes; 1 otherwise.
"""
import logging
import re
import sys

import dkim
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append((record.levelno, record.getMessage()))

    def reason(self):
        """dkimpy reports why at level INFO or above; its DEBUG lines are dumps (sig: {...})."""
        why = [m for (level, m) in self.messages if level >= logging.INFO and m]
        return "; ".join(why or [m for (_, m) in self.messages[-1:]])


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    server = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    port = int(sys.argv[3]) if len(sys.argv) > 3 else 53
    fetched = {}

    def txt(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        q = dns.message.make_query(name, dns.rdatatype.TXT, want_dnssec=True)
        q.flags |= dns.flags.AD | dns.flags.RD
        r = dns.query.udp(q, server, port=port, timeout=timeout)
        if r.rcode() != dns.rcode.NOERROR:
            raise dkim.KeyFormatError("%s TXT: %s (validated: %s)" % (
                name, dns.rcode.to_text(r.rcode()), "yes" if r.flags & dns.flags.AD else "no"))
        if not r.flags & dns.flags.AD:
            raise dkim.KeyFormatError("%s TXT: answer not DNSSEC-validated (no AD flag)" % name)
        for rrset in r.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                value = b"".join(b"".join(rd.strings) for rd in rrset)
                fetched[name.rstrip(".")] = value
                return value
        raise dkim.KeyFormatError("%s TXT: no record" % name)

    msg = open(path, "rb").read()
    headers = dkim.rfc822_parse(msg)[0]
    sigs = [v for (k, v) in headers if k.lower() == b"dkim-signature"]
    if not sigs:
        print("no DKIM-Signature in %s" % path)
        sys.exit(1)
    ok = True
    for i, s in enumerate(sigs):
        tags = dict(re.findall(rb"(?:^|;)\s*([a-z]+)\s*=\s*([^;]*)", re.sub(rb"\r?\n[ \t]", b" ", s)))
        alg = tags.get(b"a", b"?").decode().strip()
        sel = tags.get(b"s", b"?").decode().strip()
        dom = tags.get(b"d", b"?").decode().strip()
        collect = Collect()
        logger = logging.getLogger("dkim-%d" % i)
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
        logger.addHandler(collect)
        d = dkim.DKIM(msg, logger=logger)
        try:
            res = d.verify(idx=i, dnsfunc=txt)
            reason = ""
        except Exception as e:  # anything dkimpy did not turn into a False
            res, reason = False, "%s: %s" % (type(e).__name__, e)
        if res:
            detail = "d=%s" % dom
            if getattr(d, "keysize", None):
                detail += ", %d-bit key" % d.keysize
            print("a=%s s=%s pass %s" % (alg, sel, detail))
        else:
            why = reason or collect.reason() or "signature did not verify"
            print("a=%s s=%s fail %s" % (alg, sel, " ".join(why.split())))
            ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
