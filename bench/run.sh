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
  sync  # no write-back left over from the step before
  MAILKEYS_TIMING=1 /usr/bin/time -f '%e %M' -o "$OUT/$label.time" "$@" >"$OUT/$label.out" 2>"$OUT/$label.err" ||
    { cat "$OUT/$label.err"; exit 1; }
  cat "$OUT/$label.time"
}
signing_s() { awk '/^timing: sign:/ { s += $(NF-1) } END { printf "%.3f", s }' "$OUT/$1.err"; }
# A throw-away CA and certificates for the MX host: the first is installed before the timed runs
# (its TLSA records exist, as on a running mail server), five renewals take the incremental
# path, a last one the full path.
ca="$OUT/ca"
rm -rf "$ca" && mkdir -p "$ca"
(
  cd "$ca"
  ossl() { openssl "$@" >/dev/null 2>&1; }
  ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key -out root.pem -days 30 -subj /CN=bench-root \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
  printf 'subjectAltName=DNS:mail.bench.example\n' >leaf.ext
  for leaf in first r1 r2 r3 r4 r5 again; do
    ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $leaf.key -out $leaf.csr -subj /CN=mail.bench.example
    ossl x509 -req -in $leaf.csr -CA root.pem -CAkey root.key -CAcreateserial -out $leaf.pem -days 30 -extfile leaf.ext
    cat $leaf.pem root.pem >$leaf.fullchain.pem
  done
)
import_cmd() { IMPORT=("$BIN" tls import mail.bench.example --cert "$ca/$1.fullchain.pem" --key "$ca/$1.key" --home "$home"); }

# Keys, the first certificate and the unsigned zone first (not timed), then a timed full signing
# by each tool.
import_cmd first
"${IMPORT[@]}" >"$OUT/first.out" 2>&1 || { cat "$OUT/first.out"; exit 1; }
rm -f "$home/Zones/bench.example.zone.signed"
read -r mk_s mk_kib < <(measure mailkeys "$BIN" zone sign --home "$home")
mk_sigs=$(grep -c $'\tRRSIG\t' "$home/Zones/bench.example.zone.signed")
keys=$(ls "$home"/Keys/dnssec/*.private | sed 's/\.private$//')
# shellcheck disable=SC2086
read -r ld_s ld_kib < <(measure ldns ldns-signzone -f "$OUT/ldns.signed" "$home/Zones/bench.example.zone" $keys)
ld_sigs=$(grep -c $'\tRRSIG\t' "$OUT/ldns.signed")

# The certificate renewed (what certbot's deploy hook does): the time mailkeys needs to publish
# the new TLSA record, signed; the median of five renewals (on this VM's disk, a write of the
# 74 MB signed file now and then stalls for 0.05-0.25 s in the kernel). Then the same change
# through the full path (the zone map removed), which is what every run did before the map existed.
inc_all=()
for leaf in r1 r2 r3 r4 r5; do
  import_cmd $leaf
  read -r s _ < <(measure incremental "${IMPORT[@]}")
  inc_all+=("$s")
  if ! grep -q 'owners rebuilt' "$OUT/incremental.out"; then cat "$OUT/incremental.out"; echo "the renewal did not take the incremental path" >&2; exit 1; fi
  ldns-verify-zone "$home/Zones/bench.example.zone.signed" >"$OUT/verify.out" 2>&1 || { cat "$OUT/verify.out"; exit 1; }
done
inc_s=$(printf '%s\n' "${inc_all[@]}" | sort -n | sed -n 3p)
rm -f "$home/Zones/.bench.example.zone.map"
import_cmd again
read -r incfull_s _ < <(measure incremental-full "${IMPORT[@]}")

echo "stages of the full mailkeys run (MAILKEYS_TIMING=1):"
grep '^timing:' "$OUT/mailkeys.err" | sed 's/^timing: /  /'
echo "stages of the last incremental run:"
grep '^timing:' "$OUT/incremental.err" | sed 's/^timing: /  /'
echo "incremental run: $(grep -o '([0-9]* signatures made, [0-9]* kept[^)]*)' "$OUT/incremental.out")"
echo "incremental run verified by ldns-verify-zone: $(tail -1 "$OUT/verify.out")"
awk -v full="$(signing_s mailkeys)" -v inc="$(signing_s incremental)" 'BEGIN {
  printf "signing stages: full %.2f s, incremental %.2f s = %.1f%% of the full signing\n", full, inc, 100 * inc / full }'
awk -v sigs="$mk_sigs" '/^timing: sign: signing/ { s = $(NF-1); th = $(NF-3) }
  END { printf "signing stage: %d signatures in %.2f s on %d threads = %.0f per core\n", sigs, s, th, sigs / s / th }' "$OUT/mailkeys.err"
awk -v n="$NAMES" -v mks="$mk_s" -v mkk="$mk_kib" -v mkg="$mk_sigs" -v lds="$ld_s" -v ldk="$ld_kib" -v ldg="$ld_sigs" -v inc="$inc_s" -v runs="${inc_all[*]}" -v incf="$incfull_s" 'BEGIN {
  printf "names: %d (A + TXT each), algorithm 13, KSK+ZSK, NSEC, %s\n", n, "2 cores"
  printf "%-16s %10s %12s %12s %12s\n", "signer", "wall s", "signatures", "sigs/s", "peak MiB"
  printf "%-16s %10.2f %12d %12.0f %12.0f\n", "mailkeys", mks, mkg, mkg / mks, mkk / 1024
  printf "%-16s %10.2f %12d %12.0f %12.0f\n", "ldns-signzone", lds, ldg, ldg / lds, ldk / 1024
  printf "ratios (mailkeys / ldns-signzone): wall %.2f, sigs/s %.2f, peak memory %.2f\n", mks / lds, (mkg / mks) / (ldg / lds), mkk / ldk
  printf "re-sign after a certificate renewal (new TLSA): %.2f s (median of %s) = %.1f%% of a full mailkeys sign\n", inc, runs, 100 * inc / mks
  printf "the same without the zone map (full rebuild, previous signatures kept): %.2f s = %.0f%%\n", incf, 100 * incf / mks
}'
