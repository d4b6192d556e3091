#!/usr/bin/python3
"""Sign and verify DKIM with dkimpy, resolving through a given nameserver (the test's NSD).

  dkim_check.py sign DOMAIN SELECTOR KEYFILE ALGORITHM OUTFILE   -> writes a signed message
  dkim_check.py verify PORT MESSAGEFILE                          -> exit 0 when every signature verifies

ALGORITHM is rsa or ed25519; KEYFILE is the PKCS#8 PEM mailkeys wrote.
"""
import base64
import sys

import dkim
import dns.resolver


def private_key(path, algorithm):
    pem = open(path, "rb").read()
    if algorithm == "rsa":
        return pem
    body = b"".join(line for line in pem.splitlines() if not line.startswith(b"-----"))
    der = base64.b64decode(body)
    return base64.b64encode(der[-32:])  # PKCS#8 Ed25519: the 32-byte seed ends the structure


def sign(domain, selector, keyfile, algorithm, out):
    message = (
        "From: sender@%s\r\nTo: someone@example.net\r\nSubject: mailkeys continuity\r\n"
        "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <%s@%s>\r\n\r\nHello.\r\n" % (domain, selector, domain)
    ).encode()
    algo = b"rsa-sha256" if algorithm == "rsa" else b"ed25519-sha256"
    sig = dkim.sign(message, selector.encode(), domain.encode(), private_key(keyfile, algorithm),
                    signature_algorithm=algo, include_headers=[b"from", b"to", b"subject", b"date"])
    open(out, "wb").write(sig + message)


def verify(port, path):
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = int(port)
    resolver.lifetime = 3

    def dnsfunc(name, timeout=5):
        try:
            answer = resolver.resolve(name.decode().rstrip("."), "TXT")
        except Exception as e:  # NXDOMAIN and friends: no key
            print("lookup %s: %s" % (name.decode(), e), file=sys.stderr)
            return None
        return b"".join(b"".join(r.strings) for r in answer)

    message = open(path, "rb").read()
    d = dkim.DKIM(message)
    count = message.count(b"DKIM-Signature:")
    ok = all(d.verify(idx=i, dnsfunc=dnsfunc) for i in range(count))
    print("verified" if ok else "FAILED", count)
    sys.exit(0 if ok and count > 0 else 1)


if __name__ == "__main__":
    if sys.argv[1] == "sign":
        sign(*sys.argv[2:7])
    elif sys.argv[1] == "verify":
        verify(*sys.argv[2:4])
    else:
        sys.exit("usage: dkim_check.py sign|verify ...")
