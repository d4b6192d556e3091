#!/usr/bin/env python3
"""Writes the policy and templates of a home of N small signed mail domains (make bench-scale).

usage: gen-home.py HOME N [single|dir]

Domain i (1..N) is d<i>.example: MX mail.d<i>.example and NS ns1.d<i>.example inside the zone
(with addresses), a second NS outside it (ns2.example.net), DMARC and TLS-RPT reports to the
domain itself, MTA-STS, TLS-RPT, DNSSEC algorithm 13 with a CSK, CAA, DKIM at its defaults, and
a 4-record template Zones/d<i>.example.zone.in.

Layouts:
  single  every domain as [domains."NAME"] tables in HOME/mailkeys.toml (today's format)
  dir     HOME/domains/NAME.toml per domain, holding that domain's table at top level (the keys
          that would sit under [domains."NAME"]); mailkeys.toml keeps only what is not a domain

HOME must exist with its store (`mailkeys init` made it); mailkeys.toml is replaced, Zones/ and
domains/ are written. Plain string formatting, no TOML library: N = 10,000 takes well under a
second.
"""
import os
import sys

HEADER = """\
# mailkeys policy written by bench/gen-home.py: {n} domains, layout {layout}.
"""


def addr(i, host):
    """A distinct IPv4 address per domain and host (10.x.y.host), i up to 65,535."""
    return f"10.{i >> 8 & 255}.{i & 255}.{host}"


def domain_tables(i):
    """The domain's policy as (table, lines) pairs; table is a path below the domain's own table
    ('' for its top-level keys, '[x]' style names are built by the caller)."""
    name = f"d{i}.example"
    return name, [
        ("", ['ttl = "1h"', 'spf = "v=spf1 mx -all"', "helo_spf = true"]),
        ("soa", [f'rname = "hostmaster@{name}"', 'refresh = "3h"', 'retry = "1h"', 'expire = "1w"',
                 'minimum = "1h"']),
        ("[ns]", [f'name = "ns1.{name}"', f'addresses = ["{addr(i, 53)}"]']),
        ("[ns]", ['name = "ns2.example.net"']),
        ("[mx]", [f'host = "mail.{name}"', "preference = 10", f'addresses = ["{addr(i, 25)}"]']),
        ("dmarc", ['p = "reject"', f'rua = ["mailto:dmarc-reports@{name}"]']),
        ("mta_sts", ['mode = "enforce"', 'max_age = "1w"']),
        ("tls_rpt", [f'rua = ["mailto:tlsrpt@{name}"]']),
        ("dnssec", ["algorithm = 13", 'scheme = "csk"', "nsec3 = false"]),
        ("caa", ['issue = ["letsencrypt.org"]']),
    ]


def render(tables, prefix):
    """TOML text of a domain's tables under `prefix` ('domains."NAME"' or '' for top level)."""
    out = []
    for table, lines in tables:
        array = table.startswith("[")
        sub = table.strip("[]")
        path = ".".join(p for p in (prefix, sub) if p)
        if path:
            out.append(f"[[{path}]]" if array else f"[{path}]")
        out.extend(lines)
        out.append("")
    return "\n".join(out)


def template(i):
    name = f"d{i}.example"
    return (f"$ORIGIN {name}.\n$TTL 3600\n"
            f"@        IN A     {addr(i, 80)}\n"
            f"www      IN CNAME {name}.\n"
            f"mta-sts  IN A     {addr(i, 80)}\n"
            f'@        IN TXT   "site-verification={i:08x}"\n')


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    home, n = sys.argv[1], int(sys.argv[2])
    layout = sys.argv[3] if len(sys.argv) == 4 else "single"
    if layout not in ("single", "dir") or not 1 <= n <= 65535:
        sys.exit(__doc__)
    zones = os.path.join(home, "Zones")
    os.makedirs(zones, exist_ok=True)
    policy = [HEADER.format(n=n, layout=layout)]
    if layout == "dir":
        domains = os.path.join(home, "domains")
        os.makedirs(domains, exist_ok=True)
    for i in range(1, n + 1):
        name, tables = domain_tables(i)
        if layout == "single":
            policy.append(render(tables, f'domains."{name}"'))
        else:
            write(os.path.join(domains, f"{name}.toml"), render(tables, ""))
        write(os.path.join(zones, f"{name}.zone.in"), template(i))
    write(os.path.join(home, "mailkeys.toml"), "\n".join(policy))


if __name__ == "__main__":
    main()
