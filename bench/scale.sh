#!/usr/bin/env bash
# make bench-scale: how mailkeys' everyday commands grow with the number of domains in one home.
# For each N in SIZES (default "1 100 1000") it generates a home of N small signed mail domains
# (bench/gen-home.py; LAYOUT=single: one mailkeys.toml, LAYOUT=dir: domains/<name>.toml), runs
# the first tick (setup: keys, first signatures; timed and reported), then times an idle tick, the
# renewal of one MX host's certificate (`tls import`), `status` of one domain (text and JSON),
# `status --json` of all, the tick where every DKIM key starts signing, and the re-sign day
# (validity 14d - refresh 5d after the first signing), and prints one markdown table: each N's
# value, its ratio to the N=1 home, and the per-domain growth between the two largest N.
#
# Every command gets --now: NOW (default today 00:00 UTC) and instants derived from it, so the
# bench runs the same on any date. Loopback only, no network. Each command's stdout, stderr
# (MAILKEYS_TIMING=1 stage timings) and time are kept in $OUT/<layout>-n<N>/. Homes after their
# first tick are cached in $OUT/cache, keyed by N, LAYOUT, NOW's date, the binary and the
# generator, so a rerun skips generation and the first tick (CACHE=0 to redo them).
#
# SIZES="1 100 1000 10000" for the 10,000-domain point; BIN=path to measure a binary already
# built (default: `swift build -c release` and .build/release/mailkeys).
set -euo pipefail
OUT=$(realpath -m "${OUT:-/tmp/mailkeys-bench-scale}")
BIN=${BIN:+$(realpath "$BIN")}
cd "$(dirname "$0")/.."
SIZES=${SIZES:-1 100 1000}
LAYOUT=${LAYOUT:-single}
CACHE=${CACHE:-1}
TIMEOUT=${TIMEOUT:-4h}  # per command: a hung run fails the bench instead of holding it
RUNS=3
case $LAYOUT in single | dir) ;; *) echo "LAYOUT must be single or dir" >&2; exit 64 ;; esac
for n in $SIZES; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "SIZES: not a positive number: $n" >&2; exit 64; }
done
read -r -a sizes <<<"$SIZES"
[[ ${sizes[0]} == 1 ]] || echo "note: SIZES does not start with 1; ratios are to N=${sizes[0]}" >&2

fail() { echo "$*" >&2; exit 1; }
mkdir -p "$OUT"
if [[ -z ${BIN:-} ]]; then
  swift build -c release >"$OUT/build.log" 2>&1 ||
    { grep -m5 -E 'error' "$OUT/build.log" >&2 || true; fail "swift build -c release failed: $OUT/build.log"; }
  BIN=.build/release/mailkeys
  rev=$(git rev-parse --short HEAD)
  git diff --quiet HEAD -- Sources Package.swift || rev="$rev+dirty"
else
  rev="BIN=$BIN"
fi
bin_id=$(sha256sum "$BIN" | cut -c1-12)
gen_id=$(sha256sum <bench/gen-home.py | cut -c1-12)

# The clock: t0 is NOW (default today 00:00 UTC); every instant is t0 + seconds.
NOW=${NOW:-$(date -u +%F)}
t0=$(date -u -d "$NOW" +%s)
at() { date -u -d "@$((t0 + $1))" +%Y-%m-%dT%H:%M:%SZ; }
asn1() { date -u -d "@$((t0 + $1))" +%y%m%d%H%M%SZ; }
MIN=60 HOUR=3600 DAY=86400
results="$OUT/results.tsv"
: >"$results"
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$results"; }  # N, key, value
now_s() { date +%s.%N; }
phase_start=$(now_s)
phase() {  # N, name: the wall time since the last phase mark
  local t; t=$(now_s)
  record "$1" "phase:$2" "$(awk -v a="$phase_start" -v b="$t" 'BEGIN { printf "%.1f", b - a }')"
  phase_start=$t
}

# A throw-away CA (openssl ca, so validity starts at t0 - 1 day whatever the wall clock says) and
# fresh certificates for mail.d1.example: one installed before the timed runs (its TLSA records
# exist, as on a running mail server), then one per timed renewal.
ca="$OUT/ca"
rm -rf "$ca" && mkdir -p "$ca"
(
  cd "$ca"
  ossl() { openssl "$@" >/dev/null 2>&1 || { echo "openssl $* failed" >&2; openssl "$@" >&2; exit 1; }; }
  cat >ca.cnf <<'CNF'
[ca]
default_ca = bench
[bench]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no
[any]
commonName = supplied
CNF
  : >index.txt && echo 1000 >serial
  printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >root.ext
  printf 'subjectAltName=DNS:mail.d1.example\nbasicConstraints=CA:FALSE\n' >leaf.ext
  valid=(-startdate "$(asn1 $((-DAY)))" -enddate "$(asn1 $((60 * DAY)))")
  ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key -out root.csr -subj /CN=bench-root
  ossl ca -batch -notext -config ca.cnf -selfsign -keyfile root.key -in root.csr -out root.pem -extfile root.ext \
    "${valid[@]}"
  for leaf in first $(seq -f 'r%g' 1 $RUNS); do
    ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$leaf.key" -out "$leaf.csr" \
      -subj /CN=mail.d1.example
    ossl ca -batch -notext -config ca.cnf -cert root.pem -keyfile root.key -in "$leaf.csr" -out "$leaf.pem" \
      -extfile leaf.ext "${valid[@]}"
    cat "$leaf.pem" root.pem >"$leaf.fullchain.pem"
  done
)

for n in "${sizes[@]}"; do
  dir="$OUT/$LAYOUT-n$n"
  home="$dir/home"
  last="d$n.example"
  rm -rf "$dir" && mkdir -p "$dir"
  measure() {  # label, mailkeys arguments: wall seconds (ms resolution) and peak MiB in $dir/label.time
    local label=$1; shift
    sync  # no write-back left over from the step before
    local a b
    a=$EPOCHREALTIME
    MAILKEYS_TIMING=1 /usr/bin/time -f '%e %M' -o "$dir/$label.time" timeout "$TIMEOUT" "$BIN" "$@" --home "$home" \
      >"$dir/$label.out" 2>"$dir/$label.err" ||
      { echo "N=$n: $label failed: mailkeys $* --home $home" >&2; tail -5 "$dir/$label.err" >&2; exit 1; }
    b=$EPOCHREALTIME
    read -r _ kib <"$dir/$label.time"
    awk -v a="$a" -v b="$b" -v k="$kib" 'BEGIN { printf "%.3f %.1f\n", b - a, k / 1024 }' >"$dir/$label.time"
  }
  wall() { cut -d' ' -f1 "$dir/$1.time"; }
  mib() { cut -d' ' -f2 "$dir/$1.time"; }
  median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  signed() { grep -c ': signed Zones/' "$dir/$1.out" || true; }
  echo "N=$n ($LAYOUT): $dir" >&2
  phase_start=$(now_s)

  # 1. The home and its first tick (cached).
  key="$LAYOUT-n$n-$(date -u -d "@$t0" +%F)-bin$bin_id-gen$gen_id"
  cached="$OUT/cache/$key"
  if [[ $CACHE == 1 && -f $cached/done ]]; then
    cp -a "$cached/home" "$home"
    cp "$cached"/first-tick.* "$dir/"
    record "$n" cached 1
    phase "$n" "copy of the cached home"
    # A copy has new inodes and change times: the first run looks at every domain again (as
    # after an upgrade of mailkeys). It is run untimed, 30 s after t0, before the measurements.
    measure after-copy tick --now "$(at 30)" --simulate  # a home cached before init --simulate
    record "$n" after-copy "$(wall after-copy)"
    phase "$n" "first run after the copy"
  else
    # A simulation: the bench acts up to 9 days after NOW, ahead of the clock.
    "$BIN" init --simulate --home "$home" --domain d1.example --mx mail.d1.example=10.0.1.25 \
      --ns ns1.d1.example=10.0.1.53 --ns ns2.example.net >"$dir/init.out" 2>&1 || { cat "$dir/init.out"; exit 1; }
    python3 bench/gen-home.py "$home" "$n" "$LAYOUT"
    phase "$n" "generate"
    measure first-tick tick --now "$(at 0)"
    phase "$n" "first tick"
    for d in d1.example "$last"; do
      [[ -s $home/Zones/$d.zone.signed ]] ||
        fail "N=$n: the first tick signed no Zones/$d.zone.signed (does this mailkeys read LAYOUT=$LAYOUT?)"
    done
    if [[ $CACHE == 1 ]]; then
      rm -rf "$cached" && mkdir -p "$cached"
      cp -a "$home" "$cached/home" && cp "$dir"/first-tick.* "$cached/" && touch "$cached/done"
      phase "$n" "cache the home"
    fi
  fi
  record "$n" first-tick "$(wall first-tick)"
  record "$n" first-tick-mib "$(mib first-tick)"
  record "$n" first-tick-signed "$(signed first-tick)"

  # 2. Idle ticks: nothing due a minute after the first.
  all=()
  for i in $(seq 1 $RUNS); do
    measure idle-tick tick --now "$(at $((i * MIN)))"
    all+=("$(wall idle-tick)")
    [[ $(signed idle-tick) == 0 ]] || fail "N=$n: the idle tick signed a zone: $dir/idle-tick.out"
  done
  record "$n" idle-tick "$(median "${all[@]}")"
  record "$n" idle-tick-all "${all[*]}"

  # 3. A certificate renewal of one MX host, as certbot's deploy hook records it.
  renew() {  # label, certificate, instant
    measure "$1" tls import mail.d1.example --cert "$ca/$2.fullchain.pem" --key "$ca/$2.key" --now "$3"
  }
  renew tls-first first "$(at $((5 * MIN)))"
  all=()
  for i in $(seq 1 $RUNS); do
    renew tls-import "r$i" "$(at $(((5 + i) * MIN)))"
    all+=("$(wall tls-import)")
    grep -q '^d1.example: signed Zones/d1.example.zone.signed' "$dir/tls-import.out" ||
      fail "N=$n: tls import did not re-sign d1.example: $dir/tls-import.out"
    [[ $(signed tls-import) == 1 ]] ||
      fail "N=$n: tls import of one host signed $(signed tls-import) zones"
  done
  record "$n" tls-import "$(median "${all[@]}")"
  record "$n" tls-import-all "${all[*]}"
  record "$n" tls-import-path "$(grep -o 'owners rebuilt, the rest copied' "$dir/tls-import.out" >/dev/null &&
    echo incremental || echo full)"
  ldns-verify-zone -t "$(date -u -d "@$((t0 + 9 * MIN))" +%Y%m%d%H%M%S)" "$home/Zones/d1.example.zone.signed" \
    >"$dir/verify-renewal.out" 2>&1 || { cat "$dir/verify-renewal.out" >&2; exit 1; }
  # certbot runs the pre- and post-hooks around every renewal run, the deploy hook in between.
  for hook in pre post; do
    all=()
    for i in $(seq 1 $RUNS); do
      measure "certbot-$hook" certbot-hook "--$hook" --now "$(at $((9 * MIN)))"
      all+=("$(wall "certbot-$hook")")
    done
    record "$n" "certbot-$hook" "$(median "${all[@]}")"
  done
  phase "$n" "idle ticks and renewals"

  # 4. status of one domain, text and JSON; and JSON of every domain once.
  for fmt in text json; do
    all=()
    flags=(); [[ $fmt == json ]] && flags=(--json)
    for i in $(seq 1 $RUNS); do
      measure "status-$fmt" status d1.example "${flags[@]}" --now "$(at $((10 * MIN)))"
      all+=("$(wall "status-$fmt")")
    done
    record "$n" "status-$fmt" "$(median "${all[@]}")"
  done
  python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$dir/status-json.out"
  measure status-all-json status --json --now "$(at $((10 * MIN)))"
  record "$n" status-all-json "$(wall status-all-json)"
  phase "$n" "status"

  # 5. Every domain's new DKIM keys start signing (publish_ahead = 2 x TXT TTL + 5m after the
  # first tick): no zone changes, the signer tables do.
  measure dkim-active tick --now "$(at $((3 * HOUR)))"
  record "$n" dkim-active "$(wall dkim-active)"
  record "$n" dkim-active-signed "$(signed dkim-active)"
  grep -q 'DKIM: start signing' "$dir/dkim-active.out" || fail "N=$n: no DKIM key started signing at t0+3h"

  # 6. The re-sign day: signatures made at t0 expire at t0 + validity (14d) - jitter (< 12h) and
  # are due refresh (5d) before that, so at t0 + 9d every zone signed by the first tick is due.
  # The old expirations the tick prints tell how an hourly timer would spread the work.
  measure resign-day tick --now "$(at $((9 * DAY)))"
  record "$n" resign-day "$(wall resign-day)"
  record "$n" resign-day-mib "$(mib resign-day)"
  record "$n" resign-day-signed "$(signed resign-day)"
  ldns-verify-zone -t "$(date -u -d "@$((t0 + 9 * DAY))" +%Y%m%d%H%M%S)" "$home/Zones/$last.zone.signed" \
    >"$dir/verify-resign.out" 2>&1 || { cat "$dir/verify-resign.out" >&2; exit 1; }
  # Due hour of each re-signed zone (expiration - refresh), relative to t0: the span and the
  # busiest hour an hourly timer would see.
  python3 - "$dir/resign-day.out" "$t0" >"$dir/resign-spread.txt" <<'PY'
import collections, datetime, re, sys
t0 = int(sys.argv[2])
due = collections.Counter()
for m in re.finditer(r"\(signatures expire (\S+)\)", open(sys.argv[1]).read()):
    exp = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    due[(int(exp.timestamp()) - 5 * 86400 - t0) // 3600] += 1
print(min(due), max(due), len(due), max(due.values())) if due else print(0, 0, 0, 0)
PY
  read -r lo hi _ busiest <"$dir/resign-spread.txt"
  record "$n" resign-spread "$lo $hi $busiest"
  phase "$n" "DKIM activation and re-sign day"

  # Stage timings of the larger commands, summed over the zones.
  for label in idle-tick tls-import dkim-active resign-day; do
    # "timing: <stage, padded> <seconds> s": the name is what precedes the last number (a stage
    # of 10 s or more has less padding than four spaces).
    awk '/^timing: / {
        name = $0; sub(/^timing: /, "", name); sub(/ +[0-9.]+ s$/, "", name); v = $(NF - 1)
        s[name] += v; c[name]++; if (!(name in o)) o[name] = ++k }
      END { for (x in o) printf "%d\t%s\t%d\t%.3f\n", o[x], x, c[x], s[x] }' "$dir/$label.err" |
      sort -n | cut -f2- >"$dir/$label.stages"
  done
done

python3 - "$results" "$LAYOUT" "$rev" "$bin_id" "$(at 0)" >"$OUT/results.md" <<'PY'
import sys
from collections import defaultdict

path, layout, rev, bin_id, t0 = sys.argv[1:]
val = defaultdict(dict)
sizes = []
for line in open(path):
    n, key, v = line.rstrip("\n").split("\t")
    n = int(n)
    if n not in sizes:
        sizes.append(n)
    val[key][n] = v

rows = [  # key, label, kind: "s" seconds (ratio and growth), "mib" (ratio), "text"
    ("first-tick", "first tick (setup: keys, first signatures) s", "s"),
    ("after-copy", "tick looking at every domain again (a copied home; an upgrade) s", "s"),
    ("idle-tick", "idle tick (nothing due), median of 3 s", "s"),
    ("tls-import", "`tls import` renewal of one MX host, median of 3 s", "s"),
    ("certbot-pre", "`certbot-hook --pre`, median of 3 s", "s"),
    ("certbot-post", "`certbot-hook --post`, median of 3 s", "s"),
    ("status-text", "`status DOMAIN`, median of 3 s", "s"),
    ("status-json", "`status DOMAIN --json`, median of 3 s", "s"),
    ("status-all-json", "`status --json` (every domain) s", "s"),
    ("dkim-active", "tick where every DKIM key starts signing s", "s"),
    ("resign-day", "re-sign day tick (t0 + 9d) s", "s"),
    ("resign-day-signed", "zones re-signed by that tick", "text"),
    ("resign-spread", "their due times (expiration - refresh), busiest hour", "text"),
    ("first-tick-mib", "peak memory, first tick MiB", "mib"),
    ("resign-day-mib", "peak memory, re-sign day MiB", "mib"),
]


def hours(h):
    h = int(h)
    return f"{h // 24}d{h % 24:02d}h"


def spread(v):
    lo, hi, busiest = v.split()
    return f"t0+{hours(lo)}..{hours(hi)}, {busiest}"


def cell(key, n, kind):
    v = val[key].get(n)
    if v is None:
        return ""
    if key == "resign-spread":
        return spread(v)
    if kind == "text":
        return v
    base = val[key].get(sizes[0])
    x = float(v)
    s = f"{x:.3f}" if x < 10 else f"{x:.1f}"
    if n != sizes[0] and base and float(base) > 0:
        r = x / float(base)
        s += f" ({r:.1f}x)" if r < 100 else f" ({r:.0f}x)"
    return s


def growth(key):
    if len(sizes) < 2:
        return ""
    a, b = sizes[-2], sizes[-1]
    try:
        ta, tb = float(val[key][a]), float(val[key][b])
    except (KeyError, ValueError):
        return ""
    return f"{(tb / b) / (ta / a):.2f}" if ta > 0 else ""


g = f"per domain {sizes[-2]:,} -> {sizes[-1]:,}" if len(sizes) > 1 else "per domain"
print(f"Layout {layout}, commit {rev} (binary sha256 {bin_id}...), t0 = {t0}; "
      f"wall seconds, (ratio to the {sizes[0]:,}-domain home); growth 1.00 = linear.\n")
print("| measurement | " + " | ".join(f"N = {n:,}" for n in sizes) + f" | {g} |")
print("| --- | " + " | ".join("---" for _ in sizes) + " | --- |")
for key, label, kind in rows:
    if key not in val:
        continue
    cells = " | ".join(cell(key, n, kind) for n in sizes)
    print(f"| {label} | {cells} | {growth(key) if kind == 's' else ''} |")
print()
print("tls import path: " + ", ".join(f"N={n}: {val['tls-import-path'].get(n, '?')}" for n in sizes))
for key in ("idle-tick-all", "tls-import-all"):
    print(f"{key} samples: " + "; ".join(f"N={n}: {val[key].get(n, '')}" for n in sizes))
if val["cached"]:
    print("first tick from the cache (timed when the home was made): N=" + ", ".join(str(n) for n in val["cached"]))
print("phases (wall s): " + "; ".join(
    f"N={n}: " + ", ".join(f"{k[6:]} {val[k][n]}" for k in val if k.startswith("phase:") and n in val[k])
    for n in sizes))
PY
cat "$OUT/results.md"
big="$OUT/$LAYOUT-n${sizes[-1]}"
for label in idle-tick tls-import dkim-active resign-day; do
  echo
  awk -F'\t' -v wall="$(cut -d' ' -f1 "$big/$label.time")" -v label="$label" -v n="${sizes[-1]}" '
    { s += $3 } END { printf "stages of %s at N=%d (MAILKEYS_TIMING=1; stage, times run, seconds summed): " \
      "%.3f s of %.3f s wall\n", label, n, s, wall }' \
    "$big/$label.stages"
  sed 's/^/  /' "$big/$label.stages"
done
