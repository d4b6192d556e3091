#!/usr/bin/env bash
# make bench: signs the same 100,000-name zone (A and TXT per name, algorithm 13, KSK+ZSK, NSEC)
# with mailkeys and with ldns-signzone in one run, and prints wall time, signatures per second,
# peak memory and the ratios; then the time of a re-sign after one TLSA change.
set -euo pipefail
cd "$(dirname "$0")/.."
NAMES=${NAMES:-100000}
OUT=${OUT:-$(mktemp -d /tmp/mailkeys-bench.XXXXXX)}
BIN=.build/release/mailkeys
swift build -c release >/dev/null
home="$OUT/home"
rm -rf "$home"
"$BIN" init --home "$home" --domain bench.example --mx mail.bench.example=192.0.2.25 \
  --ns ns1.bench.example=192.0.2.53 --ns ns2.example.net >/dev/null 2>&1
sed -i 's/scheme = "csk"/scheme = "ksk+zsk"/' "$home/mailkeys.toml"
printf '\n[domains."bench.example".dkim]\nenabled = false\n' >>"$home/mailkeys.toml"
python3 - "$NAMES" >"$home/Zones/bench.example.zone.in" <<'PY'
import sys
n = int(sys.argv[1])
print("$ORIGIN bench.example.\n$TTL 3600")
for i in range(n):
    print(f"h{i} IN A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")
    print(f'h{i} IN TXT "bench record {i}"')
PY

measure() {  # label, command...: prints "seconds maxrss_kib"; keeps stdout and stderr in $OUT/label.*
  local label=$1; shift
  MAILKEYS_TIMING=1 /usr/bin/time -f '%e %M' -o "$OUT/$label.time" "$@" >"$OUT/$label.out" 2>"$OUT/$label.err" ||
    { cat "$OUT/$label.err"; exit 1; }
  cat "$OUT/$label.time"
}
signing_s() { awk '/^timing: sign:/ { s += $(NF-1) } END { printf "%.3f", s }' "$OUT/$1.err"; }
# Keys and the unsigned zone first (not timed), then a timed full signing by each tool.
"$BIN" zone build --home "$home" >/dev/null 2>&1
rm -f "$home/Zones/bench.example.zone.signed"
read -r mk_s mk_kib < <(measure mailkeys "$BIN" zone sign --home "$home")
mk_sigs=$(grep -c $'\tRRSIG\t' "$home/Zones/bench.example.zone.signed")
keys=$(ls "$home"/Keys/dnssec/*.private | sed 's/\.private$//')
# shellcheck disable=SC2086
read -r ld_s ld_kib < <(measure ldns ldns-signzone -f "$OUT/ldns.signed" "$home/Zones/bench.example.zone" $keys)
ld_sigs=$(grep -c $'\tRRSIG\t' "$OUT/ldns.signed")

# One TLSA record added: the time mailkeys needs to publish the change, signed.
echo '_25._tcp.mail IN TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' >>"$home/Zones/bench.example.zone.in"
read -r inc_s _ < <(measure incremental "$BIN" zone sign --home "$home")

echo "stages of the full mailkeys run (MAILKEYS_TIMING=1):"
grep '^timing:' "$OUT/mailkeys.err" | sed 's/^timing: /  /'
echo "incremental run: $(grep -o '([0-9]* signatures made, [0-9]* kept)' "$OUT/incremental.out")"
awk -v full="$(signing_s mailkeys)" -v inc="$(signing_s incremental)" 'BEGIN {
  printf "signing stages: full %.2f s, incremental %.2f s = %.1f%% of the full signing\n", full, inc, 100 * inc / full }'
awk -v sigs="$mk_sigs" '/^timing: sign: signing/ { s = $(NF-1); th = $(NF-3) }
  END { printf "signing stage: %d signatures in %.2f s on %d threads = %.0f per core\n", sigs, s, th, sigs / s / th }' "$OUT/mailkeys.err"
awk -v n="$NAMES" -v mks="$mk_s" -v mkk="$mk_kib" -v mkg="$mk_sigs" -v lds="$ld_s" -v ldk="$ld_kib" -v ldg="$ld_sigs" -v inc="$inc_s" 'BEGIN {
  printf "names: %d (A + TXT each), algorithm 13, KSK+ZSK, NSEC, %s\n", n, "2 cores"
  printf "%-16s %10s %12s %12s %12s\n", "signer", "wall s", "signatures", "sigs/s", "peak MiB"
  printf "%-16s %10.2f %12d %12.0f %12.0f\n", "mailkeys", mks, mkg, mkg / mks, mkk / 1024
  printf "%-16s %10.2f %12d %12.0f %12.0f\n", "ldns-signzone", lds, ldg, ldg / lds, ldk / 1024
  printf "ratios (mailkeys / ldns-signzone): wall %.2f, sigs/s %.2f, peak memory %.2f\n", mks / lds, (mkg / mks) / (ldg / lds), mkk / ldk
  printf "re-sign after one TLSA change: %.2f s = %.0f%% of a full mailkeys sign\n", inc, 100 * inc / mks
}'
