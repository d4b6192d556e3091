#!/bin/bash
# mailworld.sh: a loopback mail world for mailkeys' end-to-end tests (root, Debian 12).
#
#   mailworld.sh up     WORK HOME SIGNER   SIGNER = opendkim | rspamd; start everything, wait until ready
#   mailworld.sh dns    WORK HOME          publish HOME's current zone, anchor, certificate and signer tables
#   mailworld.sh send   WORK TAG           send alice@ -> bob@example.org and wait for its fate
#   mailworld.sh flush  WORK [TAG]         postqueue -f on the sender; with TAG, then wait like send
#   mailworld.sh verify WORK FILE          verify each DKIM-Signature of FILE (dkimpy, keys via unbound, AD)
#   mailworld.sh down   WORK               stop everything by pid, remove the netns (idempotent)
#
# WORK: an existing (empty, for `up`) directory owned by the caller; every file of the world lives
# there (configs, logs, queues, the maildir, pids in WORK/pids), so two worlds run side by side.
# `up` makes WORK traversable by others (chmod o+x: Postfix's virtual(8) writes the maildir as
# uid 65534). WORK must be at most 90 characters (unix socket paths) and, like HOME, made of
# [A-Za-z0-9._/+-] only (Postfix and UCL configs).
# HOME: a mailkeys home for the domain example.org whose MX mail.example.org is 127.0.0.2 and whose
# NS ns1.example.org is 127.0.0.1 (`mailkeys init --domain example.org --mx
# mail.example.org=127.0.0.2 --ns ns1.example.org=127.0.0.1`), already ticked.
#
# What runs, all inside the network namespace mw-<first 8 hex of sha1(WORK's real path)> (own
# loopback with 127.0.0.1 and 127.0.0.2, /etc/netns/NAME/resolv.conf = "nameserver 127.0.0.1"), so
# the fixed ports below never collide with the host or another world:
#   NSD      127.0.0.1:5353  serves WORK/nsd/example.org.zone, a copy of HOME/Zones/example.org.zone.signed
#                            made by `up` and `dns` (never HOME's file: publishing is an explicit step)
#   unbound  127.0.0.1:53    validating resolver of the namespace: stub zone example.org -> NSD,
#                            trust anchor WORK/unbound/anchor.key, every other name refused,
#                            cache-max-ttl 30
#   Postfix  127.0.0.2:25    receiver mail.example.org: STARTTLS with HOME/Keys/tls/mail.example.org/
#                            ecdsa/{privkey,fullchain}.pem (plain SMTP, with a warning, while HOME has
#                            none); every recipient -> maildir WORK/rx/mail/inbox/; OpenDKIM verifier
#                            milter 127.0.0.1:8893 adds Authentication-Results
#   Postfix  127.0.0.1:2525  sender: smtp_dns_support_level = dnssec, smtp_tls_security_level = dane,
#                            signing milters, milter_default_action = tempfail; deferred mail is
#                            retried only by `flush` (backoff 1 h)
#   SIGNER opendkim          two signing instances (a 2.11 instance signs every signature of a message
#                            with its one SignatureAlgorithm), reading HOME's tables in place:
#                              127.0.0.1:8891 HOME/Keys/opendkim/{KeyTable,SigningTable}, rsa-sha256
#                              127.0.0.1:8892 HOME/Keys/opendkim/{KeyTable,SigningTable}.ed25519,
#                                             ed25519-sha256
#                            An instance whose KeyTable is missing is not started (warning).
#                            They run as root (MAILWORLD_OPENDKIM_USER=NAME adds "UserID NAME").
#                            RequireSafeKeys is "no" unless MAILWORLD_REQUIRE_SAFE_KEYS=yes: OpenDKIM
#                            refuses a key when any directory above it is writable by others, and
#                            every test home lives under /tmp (mode 1777), so with "yes" no key under
#                            /tmp ever signs; set yes for a home outside /tmp.
#   SIGNER rspamd            rspamd 3.4, one self-contained config (nothing from /etc/rspamd, no redis,
#                            2-line url_tld for a ~2 s start): proxy worker in milter mode with
#                            self_scan on 127.0.0.1:11332, dkim_signing .include-ing
#                            HOME/Keys/rspamd/dkim_signing.conf in place. Workers run as _rspamd:
#                            the keys must be readable by it (dkim.group = "_rspamd"); `up` and `dns`
#                            warn on stderr about each key _rspamd cannot read.
# OpenDKIM logs only through syslog(3): each instance runs in a private mount namespace whose /dev is
# a small tmpfs (null, zero, full, random, urandom bind-mounted from the host) with /dev/log -> a
# socket in WORK, served by mailworld/syslogd.py. The host's /dev/log is neither needed nor touched.
#
# Logs: WORK/nsd/nsd.log, WORK/unbound/unbound.log, WORK/rx/maillog, WORK/tx/maillog,
#   WORK/opendkim/{rsa,ed25519,verify}/log, WORK/rspamd/rspamd.log, WORK/*/stdout.
#
# Subcommands in detail (stdout carries only what is listed; diagnostics go to stderr; no daemon
# keeps the caller's stdout, stderr or any other descriptor it passed (daemons get 0-2 from
# /dev/null and their log, every other descriptor is closed), so a caller can read stdout to EOF
# and Foundation's Process sees the script's exit):
#   up      Creates the namespace, writes the trust anchor, starts NSD, unbound, the syslog catcher
#           and the OpenDKIM verifier, the signer(s), the receiver and the sender, each waited for
#           (one deadline for all: MAILWORLD_UP_TIMEOUT, default 30 s). Trust anchor: the DS lines
#           of `$MAILKEYS_BIN ds --home HOME example.org` when MAILKEYS_BIN is set (what a parent
#           zone would publish, so a wrong DS fails validation), else the zone's DNSKEYs with flags
#           257; MAILWORLD_ANCHOR=ds|zone forces one. Warns on stderr when example.org's SOA does not
#           validate. On any failure: the relevant log tail on stderr, everything started is
#           stopped again (logs kept), exit 1. Prints "netns=NAME", "signer=SIGNER",
#           "anchor=ds|zone", "seconds=S".
#   dns     In this order: copies HOME's signed zone to NSD, `nsd-control reload` and waits until
#           NSD serves the file's SOA serial; rewrites the trust anchor the same way as `up` did
#           and, only when it changed, `unbound-control reload` and restarts the OpenDKIM verifier,
#           otherwise unbound flush_zone example.org, flush_bogus, flush_negative, flush_infra all;
#           restarts the OpenDKIM signers (SIGKILL, start with the tables found now; SIGUSR1 would
#           re-read KeyTable and SigningTable too, but only at the next connection, and it keeps
#           the old tables with just a log line when the new ones fail to load) or HUPs rspamd,
#           waits for its new proxy worker and for the old one to exit (~1 s; a map rspamd rejects
#           -> exit 1 with its error); points the receiver at HOME's certificate; `postfix reload`s
#           the receiver (smtpd reads the certificate at start) and the sender (smtp caches TLSA
#           records for their TTL) and waits for each master's "reload" line. Idempotent; ~1 s
#           with OpenDKIM, ~1.7 s with rspamd (wall clock, 2 cores). Prints "serial=N",
#           "anchor=changed|unchanged", "seconds=S".
#   send    Submits "Subject: mailworld TAG", Message-Id <TAG.NANOS@example.org> (TAG: [A-Za-z0-9._-]+)
#           with python3's smtplib inside the namespace, then polls the sender's log (at most
#           MAILWORLD_SEND_TIMEOUT, default 20 s).
#             delivered: stdout line 1 = the file in WORK/rx/mail/inbox/new/, line 2 = the sender's
#                        TLS line of that delivery ("Verified TLS connection established to
#                        mail.example.org[127.0.0.2]:25: TLSv1.3 with cipher ..."), exit 0
#             deferred or bounced: that attempt's sender log lines on stderr (e.g. "... num=65:no
#                        matching DANE TLSA records", "status=deferred (Server certificate not
#                        verified)"), exit 3
#             refused by the sender's smtpd (e.g. 451 4.7.1 from a tempfailing milter): the reply
#                        and the sender log's tail on stderr, exit 4
#             no verdict in time, or any other failure: exit 1
#           The queue id is kept in WORK/tx/sent/TAG for `flush WORK TAG`.
#   flush   `postqueue -f` on the sender (deferred mail is retried now; also revives a destination
#           Postfix marked dead). With TAG: waits for the next verdict on that message, output and
#           exit codes as for send.
#   verify  Runs mailworld/dkim_verify.py in the namespace: per signature "a=ALG s=SELECTOR pass
#           DETAIL" or "a=ALG s=SELECTOR fail REASON"; keys are fetched from unbound and must carry
#           the AD flag. Exit 0 only with at least one signature, all passing.
#   down    SIGTERM to every recorded pid whose command name still matches (OpenDKIM: SIGKILL, its
#           libmilter loop takes up to 5 s), SIGKILL after 2 s, SIGKILL to anything left in the
#           namespace, then removes the namespace and /etc/netns/NAME. Safe to call twice, and after
#           a failed or partial `up`. Keeps WORK's logs.
#
# Environment: MAILKEYS_BIN (the mailkeys binary, for the DS trust anchor), MAILWORLD_ANCHOR,
# MAILWORLD_UP_TIMEOUT, MAILWORLD_SEND_TIMEOUT, MAILWORLD_REQUIRE_SAFE_KEYS, MAILWORLD_OPENDKIM_USER
# (all above), MAILWORLD_DEBUG=1 (time of each step of up/dns on stderr).
#
# Needs root (ip netns, port 25/53, Postfix, rspamd -u) and these Debian packages: iproute2, nsd,
# unbound, postfix, opendkim (signer opendkim; the verifier always), rspamd (signer rspamd),
# bind9-dnsutils (dig), python3-dkim, python3-nacl (Ed25519 in dkimpy), python3-dnspython, procps,
# util-linux and bsdutils (setpriv, flock, script). A missing one is named before anything starts.
# /usr/bin/python3 is used explicitly (python3-dkim is not in a pyenv or venv python).
set -euo pipefail
set -E
shopt -s nullglob

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LIB=$SELF_DIR/mailworld
PY=/usr/bin/python3
DOMAIN=example.org
MX_HOST=mail.example.org
NSD_PORT=5353
TX_PORT=2525
RX_ADDR=127.0.0.2
ODKIM_RSA_PORT=8891
ODKIM_ED_PORT=8892
ODKIM_VERIFY_PORT=8893
RSPAMD_PORT=11332

die() { echo "mailworld: $*" >&2; exit 1; }
warn() { echo "mailworld: warning: $*" >&2; }
usage() { sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
t_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
MARK=$EPOCHREALTIME
step() {  # step NAME: with MAILWORLD_DEBUG=1, the time since the previous step on stderr
  [ -n "${MAILWORLD_DEBUG:-}" ] && echo "mailworld: [$(t_since "$MARK") s] $1" >&2
  MARK=$EPOCHREALTIME; return 0
}
trap 'echo "mailworld: line $LINENO: failed: $BASH_COMMAND" >&2' ERR

# ---------------------------------------------------------------------------------------------
# preflight

need() {  # need PACKAGE COMMAND...: every COMMAND must be on PATH (or an absolute, executable path)
  local pkg=$1 c; shift
  for c in "$@"; do
    if [[ $c == /* ]]; then [ -x "$c" ] && continue; else command -v "$c" >/dev/null 2>&1 && continue; fi
    die "$c not found: install the Debian package $pkg (apt-get install $pkg)"
  done
}
need_py() {  # need_py PACKAGE MODULE
  "$PY" -c "import $2" 2>/dev/null || die "$PY cannot import $2: install the Debian package $1"
}
preflight() {  # preflight SIGNER|""
  [ "$(id -u)" = 0 ] || die "must run as root (ip netns, ports 25 and 53, Postfix, rspamd -u)"
  need iproute2 ip ss
  need procps ps pgrep
  need util-linux setpriv flock
  need bsdutils script
  need nsd nsd nsd-control nsd-checkconf
  need unbound unbound unbound-control unbound-checkconf
  need postfix postfix postconf postqueue
  need bind9-dnsutils dig
  need python3 "$PY"
  need opendkim opendkim
  [ "${1:-}" = rspamd ] && need rspamd rspamd
  "$PY" -c 'import dkim, nacl, dns.message' 2>/dev/null || {  # one python start; name the package on failure
    need_py python3-dkim dkim; need_py python3-nacl nacl; need_py python3-dnspython dns.message; }
  local f; for f in master.cf syslogd.py send.py dkim_verify.py; do
    [ -r "$LIB/$f" ] || die "$LIB/$f is missing (it ships next to mailworld.sh)"
  done
}

# ---------------------------------------------------------------------------------------------
# the world's state

set_work() {  # set_work WORK [gone-ok]: W, NETNS, X
  [ -n "${1:-}" ] || usage
  if [ -n "${2:-}" ]; then W=$(realpath -m "$1"); else
    [ -d "$1" ] || die "WORK $1 is not a directory"
    W=$(realpath -e "$1")
  fi
  [[ $W =~ ^[A-Za-z0-9._/+-]+$ ]] || die "WORK $W: only [A-Za-z0-9._/+-] are allowed in the path"
  [ ${#W} -le 90 ] || die "WORK $W is longer than 90 characters (unix socket paths must stay under 108)"
  NETNS=mw-$(printf '%s' "$W" | sha1sum | cut -c1-8)
  X=(ip netns exec "$NETNS")
}
set_home() {  # set_home HOME
  [ -n "${1:-}" ] || usage
  [ -d "$1" ] || die "HOME $1 is not a directory"
  H=$(realpath -e "$1")
  [[ $H =~ ^[A-Za-z0-9._/+-]+$ ]] || die "HOME $H: only [A-Za-z0-9._/+-] are allowed in the path"
  ZONE_SRC=$H/Zones/$DOMAIN.zone.signed
  TLS_DIR=$H/Keys/tls/$MX_HOST/ecdsa
}
load_state() {  # load_state: the values `up` recorded
  [ -f "$W/world.env" ] || die "no world in $W (run: mailworld.sh up $W HOME SIGNER)"
  # shellcheck disable=SC1091
  . "$W/world.env"
  SIGNER=$MW_SIGNER
  set_home "$MW_HOME"
}
lock() { exec 9>"$W/.lock"; flock -w 60 9 || die "$W is locked by another mailworld.sh for 60 s"; }

alive() {  # alive PID [COMM]: running (not a zombie) and, with COMM, still that program
  local pid=$1 stat comm
  stat=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  [[ -n $stat && $stat != Z* ]] || return 1
  [ -z "${2:-}" ] && return 0
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [ "$comm" = "$2" ]
}
pid_of() { [ -f "$W/pids/$1" ] && cut -d' ' -f1 "$W/pids/$1"; }
record() { echo "$2 $3" > "$W/pids/$1"; }  # record NAME PID COMM

close_fds() {  # close every descriptor above 2 this (sub)shell inherited, so that no daemon keeps
               # one: Foundation's Process on Linux (swift-corelibs-foundation issue 4795) sees its
               # child exit only when a socket it passes to the child is closed by every holder,
               # so a daemon holding it makes the caller's waitUntilExit() hang forever
  local fd n
  for fd in /proc/"$BASHPID"/fd/*; do
    n=${fd##*/}
    if [ "$n" -gt 2 ] && [ "$n" != 255 ]; then eval "exec $n>&-" 2>/dev/null || true; fi
  done
}
spawn() {  # spawn NAME COMM LOG CMD...: start CMD in the namespace, detached from our descriptors
  local name=$1 comm=$2 log=$3; shift 3
  ( close_fds; exec setsid "${X[@]}" "$@" ) </dev/null >>"$log" 2>&1 &
  record "$name" $! "$comm"
}

DEADLINE=0
deadline_in() { DEADLINE=$(awk -v n="$EPOCHREALTIME" -v s="$1" 'BEGIN { printf "%.3f", n + s }'); }
before_deadline() { awk -v n="$EPOCHREALTIME" -v d="$DEADLINE" 'BEGIN { exit !(n < d) }'; }
show_logs() {  # show_logs LOGFILE: its tail, and that of the daemon's stdout/stderr next to it
  local f
  for f in "$1" "$(dirname "$1")/stdout"; do
    [ -s "$f" ] || continue
    echo "mailworld: --- tail of $f:" >&2; tail -n 20 "$f" >&2
  done
}
wait_for() {  # wait_for WHAT PID LOGFILE CMD...: poll CMD until it succeeds; fail on death or deadline
  local what=$1 pid=$2 logf=$3; shift 3
  while ! "$@" >/dev/null 2>&1; do
    if [ -n "$pid" ] && ! alive "$pid"; then
      show_logs "$logf"; die "$what exited instead of becoming ready (logs above)"
    fi
    if ! before_deadline; then
      show_logs "$logf"; die "$what not ready before the deadline (logs above)"
    fi
    sleep 0.05
  done
}
listening() { ss -N "$NETNS" -Hltn "sport = :$2" 2>/dev/null | grep -q "$1:$2"; }  # listening ADDR PORT

# ---------------------------------------------------------------------------------------------
# network namespace

netns_up() {
  ip netns add "$NETNS" || die "ip netns add $NETNS failed (a world already in $W? run down first)"
  "${X[@]}" ip link set lo up
  "${X[@]}" ip addr add "$RX_ADDR/8" dev lo  # Postfix inet_interfaces needs a real interface address
  for _ in 1 2 3; do mkdir -p "/etc/netns/$NETNS" 2>/dev/null && break; sleep 0.1; done
  # trust-ad: glibc passes the AD bit through (Postfix 3.7 sets RES_TRUSTAD itself; other tools don't)
  printf 'nameserver 127.0.0.1\noptions trust-ad\n' > "/etc/netns/$NETNS/resolv.conf"
}

# ---------------------------------------------------------------------------------------------
# DNS: NSD and unbound

zone_serial() {  # the SOA serial of a zone file in presentation format, one record per line
  awk '{ for (i = 1; i < NF; i++) { if ($i == "RRSIG" || $i ~ /^;/) break; if ($i == "SOA") { print $(i + 3); exit } } }' "$1"
}

publish_zone() {  # copy HOME's signed zone to NSD's zone file (atomically)
  [ -s "$ZONE_SRC" ] || die "$ZONE_SRC is missing or empty (mailkeys tick writes it)"
  cp "$ZONE_SRC" "$W/nsd/$DOMAIN.zone.tmp"
  mv -f "$W/nsd/$DOMAIN.zone.tmp" "$W/nsd/$DOMAIN.zone"
  SERIAL=$(zone_serial "$W/nsd/$DOMAIN.zone")
  [ -n "$SERIAL" ] || die "no SOA record in $ZONE_SRC"
}
nsd_serves_serial() {
  [ "$("${X[@]}" dig +short +norec +time=1 +tries=1 -p "$NSD_PORT" @127.0.0.1 "$DOMAIN" SOA 2>/dev/null |
      awk '{ print $3 }')" = "$1" ]
}

write_anchor() {  # write_anchor OUT: the trust anchor for unbound (and the OpenDKIM verifier)
  local out=$1 mode=${MAILWORLD_ANCHOR:-${MW_ANCHOR:-}}
  MAILKEYS_BIN=${MAILKEYS_BIN:-${MW_MAILKEYS_BIN:-}}
  if [ -z "$mode" ]; then [ -n "$MAILKEYS_BIN" ] && mode=ds || mode=zone; fi
  case $mode in
    ds)
      [ -x "$MAILKEYS_BIN" ] || die "MAILWORLD_ANCHOR=ds needs MAILKEYS_BIN (the mailkeys binary)"
      local ds
      ds=$("$MAILKEYS_BIN" ds --home "$H" "$DOMAIN" 2>"$W/unbound/ds.stderr") ||
        { cat "$W/unbound/ds.stderr" >&2; die "$MAILKEYS_BIN ds --home $H $DOMAIN failed"; }
      # the DS lines only (what the parent publishes); drop comments and trailing ";{...}" notes
      printf '%s\n' "$ds" | grep -v '^[[:space:]]*;' | sed 's/[[:space:]]*;.*$//' |
        awk '{ for (i = 1; i <= NF; i++) if ($i == "DS") { print; break } }' > "$out"
      [ -s "$out" ] || die "'$MAILKEYS_BIN ds --home $H $DOMAIN' printed no DS record"
      ;;
    zone)
      awk '{ for (i = 1; i < NF; i++) { if ($i == "RRSIG" || $i ~ /^;/) break; if ($i == "DNSKEY") { if ($(i + 1) == 257) print; break } } }' \
        "$W/nsd/$DOMAIN.zone" > "$out"
      [ -s "$out" ] || die "no DNSKEY with flags 257 in $ZONE_SRC"
      ;;
    *) die "MAILWORLD_ANCHOR=$mode: use ds or zone" ;;
  esac
  ANCHOR_MODE=$mode
}

write_nsd_conf() {
  cat > "$W/nsd/nsd.conf" <<CONF
# NSD of the mail world in $W
server:
    ip-address: 127.0.0.1@$NSD_PORT
    port: $NSD_PORT
    username: ""
    chroot: ""
    zonesdir: "$W/nsd"
    database: ""
    pidfile: "$W/nsd/nsd.pid"
    xfrdfile: "$W/nsd/xfrd.state"
    xfrdir: "$W/nsd"
    zonelistfile: "$W/nsd/zone.list"
    logfile: "$W/nsd/nsd.log"
    server-count: 1
    verbosity: 1
    hide-version: yes
remote-control:
    control-enable: yes
    control-interface: $W/nsd/ctl
zone:
    name: "$DOMAIN"
    zonefile: "$W/nsd/$DOMAIN.zone"
CONF
  nsd-checkconf "$W/nsd/nsd.conf" || die "nsd-checkconf $W/nsd/nsd.conf failed"
}

write_unbound_conf() {
  cat > "$W/unbound/unbound.conf" <<CONF
# unbound of the mail world in $W: the namespace's resolver (its /etc/resolv.conf)
server:
    interface: 127.0.0.1@53
    port: 53
    do-ip6: no
    username: ""
    chroot: ""
    directory: "$W/unbound"
    pidfile: "$W/unbound/unbound.pid"
    logfile: ""
    use-syslog: no
    verbosity: 1
    val-log-level: 2
    do-not-query-localhost: no          # the stub target is on 127.0.0.1
    access-control: 127.0.0.0/8 allow
    # only example.org is validated, from the anchor mailkeys gives (no root anchor, no parent);
    # not auto-trust-anchor-file: RFC 5011 would rewrite the file
    trust-anchor-file: "$W/unbound/anchor.key"
    cache-max-ttl: 30
    cache-max-negative-ttl: 5
    module-config: "validator iterator"
    # the namespace has no route out: refuse every other name at once instead of timing out
    local-zone: "." refuse
    local-zone: "$DOMAIN." transparent
stub-zone:
    name: "$DOMAIN"
    stub-addr: 127.0.0.1@$NSD_PORT
remote-control:
    control-enable: yes
    control-interface: $W/unbound/ctl
CONF
  unbound-checkconf "$W/unbound/unbound.conf" >/dev/null || die "unbound-checkconf $W/unbound/unbound.conf failed"
}
ubctl() { unbound-control -c "$W/unbound/unbound.conf" "$@" >/dev/null; }

check_validation() {  # warn when example.org's SOA does not validate (the test will fail on DANE/DKIM)
  local out
  out=$("${X[@]}" dig +dnssec +time=2 +tries=1 @127.0.0.1 "$DOMAIN" SOA 2>&1) || true
  grep -q 'flags:[^;]* ad[ ;]' <<<"$out" ||
    warn "$DOMAIN SOA does not validate with $W/unbound/anchor.key ($(grep -o 'status: [A-Z]*' <<<"$out" || echo 'no answer')); see $W/unbound/unbound.log"
}

# ---------------------------------------------------------------------------------------------
# OpenDKIM

odkim_conf() {  # odkim_conf NAME PORT LINE...
  local d=$W/opendkim/$1 port=$2; shift 2
  mkdir -p "$d/dev"
  {
    echo "# OpenDKIM instance $(basename "$d") of the mail world in $W"
    echo "Socket                  inet:$port@127.0.0.1"
    echo "Background              no"
    echo "Syslog                  yes"
    echo "SyslogSuccess           yes"
    echo "LogWhy                  yes"
    echo "UMask                   007"
    printf '%s\n' "$@"
  } > "$d/opendkim.conf"
}
odkim_start() {  # odkim_start NAME PORT
  local name=$1 port=$2 d=$W/opendkim/$1
  # private mount namespace (ip netns exec makes one): /dev = tmpfs with the few devices OpenDKIM
  # and OpenSSL use, and /dev/log -> this instance's syslogd.py socket
  # shellcheck disable=SC2016  # expanded by that sh, from its arguments
  spawn "odkim-$name" opendkim "$d/stdout" /bin/sh -c '
    set -e
    d=$1; shift
    mount -t tmpfs -o mode=0755,size=64k mailworld-dev "$d/dev"
    for n in null zero full random urandom; do : > "$d/dev/$n"; mount --bind "/dev/$n" "$d/dev/$n"; done
    ln -s "$d/log.sock" "$d/dev/log"
    mount --rbind "$d/dev" /dev
    exec opendkim -f -x "$d/opendkim.conf"' mailworld-opendkim "$d"
  wait_for "opendkim $name (port $port)" "$(pid_of "odkim-$name")" "$d/log" listening 127.0.0.1 "$port"
}
odkim_stop() {  # odkim_stop NAME: SIGKILL (SIGTERM takes up to 5 s), wait until it is gone
  local pid; pid=$(pid_of "odkim-$1") || return 0
  if alive "$pid" opendkim; then
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.02; done
  fi
  rm -f "$W/pids/odkim-$1"
}
odkim_signers_conf() {  # which signing instances: "rsa" and/or "ed25519", per existing KeyTable
  ODKIM_SIGNERS=()
  local kt=$H/Keys/opendkim/KeyTable st=$H/Keys/opendkim/SigningTable
  local user_line=() safe=${MAILWORLD_REQUIRE_SAFE_KEYS:-no}
  [ -n "${MAILWORLD_OPENDKIM_USER:-}" ] && user_line=("UserID                  $MAILWORLD_OPENDKIM_USER")
  local common=("Mode                    s" "MultipleSignatures      yes" "InternalHosts           127.0.0.0/8"
    "Canonicalization        relaxed/simple"
    "# RequireSafeKeys: every test home is under /tmp (world-writable), so OpenDKIM would refuse every"
    "# key with 'yes'; MAILWORLD_REQUIRE_SAFE_KEYS=yes for a home outside /tmp"
    "RequireSafeKeys         $safe" "${user_line[@]}")
  local name suffix port algorithm
  for name in rsa ed25519; do  # one instance per algorithm, each with its own tables
    case $name in
      rsa) suffix="" port=$ODKIM_RSA_PORT algorithm=rsa-sha256 ;;
      ed25519) suffix=".ed25519" port=$ODKIM_ED_PORT algorithm=ed25519-sha256 ;;
    esac
    if [ -f "$kt$suffix" ]; then
      [ -f "$st$suffix" ] || die "$kt$suffix exists but $st$suffix does not"
      odkim_conf "$name" "$port" "${common[@]}" "KeyTable                file:$kt$suffix" \
        "SigningTable            refile:$st$suffix" "SignatureAlgorithm      $algorithm"
      ODKIM_SIGNERS+=("$name")
    else
      warn "$kt$suffix is missing: no $name signer"
    fi
  done
}
odkim_port() { case $1 in rsa) echo "$ODKIM_RSA_PORT";; ed25519) echo "$ODKIM_ED_PORT";; verify) echo "$ODKIM_VERIFY_PORT";; esac; }
odkim_verifier_conf() {
  odkim_conf verify "$ODKIM_VERIFY_PORT" "Mode                    v" "Nameservers             127.0.0.1" \
    "TrustAnchorFile         $W/unbound/anchor.key" "AuthservID              $MX_HOST" \
    "AlwaysAddARHeader       yes"
}
start_syslogd() {
  local args=() n
  for n in rsa ed25519 verify; do mkdir -p "$W/opendkim/$n"; args+=("$W/opendkim/$n/log.sock=$W/opendkim/$n/log"); done
  spawn syslogd python3 "$W/opendkim/syslogd.stdout" "$PY" "$LIB/syslogd.py" "${args[@]}"
  wait_for "syslog catcher" "$(pid_of syslogd)" "$W/opendkim/syslogd.stdout" test -S "$W/opendkim/verify/log.sock"
}

# ---------------------------------------------------------------------------------------------
# rspamd

rspamd_check_keys() {  # warn about every key in HOME's rspamd map that _rspamd cannot read
  local map=$H/Keys/rspamd/dkim_signing.conf p
  [ -f "$map" ] || die "$map is missing (mailkeys writes it unless [signers] rspamd = false)"
  local paths; paths=$(grep -o 'path = "[^"]*"' "$map" | cut -d'"' -f2) || true
  for p in $paths; do
    setpriv --reuid=_rspamd --regid=_rspamd --init-groups test -r "$p" 2>/dev/null ||
      warn "rspamd's workers (user _rspamd) cannot read $p: it will not sign with it (set dkim.group = \"_rspamd\" and tick; check the directories above HOME)"
  done
}
write_rspamd_conf() {
  local d=$W/rspamd
  mkdir -p "$d/db" "$d/run"
  chown _rspamd:_rspamd "$d/db" "$d/run"
  printf 'org\ntest\n' > "$d/tld.dat"
  cat > "$d/rspamd.conf" <<CONF
# rspamd of the mail world in $W: signing only; nothing from /etc/rspamd is read, no redis
modules {
  path = "\${PLUGINSDIR}";
}
options {
  pidfile = "$d/run/rspamd.pid";
  filters = "dkim";                 # the C dkim module: dkim_signing calls its sign function
  local_addrs = [127.0.0.0/8];
  dns {
    nameserver = ["127.0.0.1:53"];  # unbound of the namespace
    timeout = 1s;
    retransmits = 2;
  }
  hs_cache_dir = "$d/db/";
  cache_file = "$d/db/symbols.cache";
  control_socket = "$d/run/ctl mode=0600";
  stats_file = "$d/db/stats.ucl";
  history_file = "$d/db/rspamd.history";
  url_tld = "$d/tld.dat";           # the stock public-suffix list takes ~20 s to compile
}
logging {
  type = "file";
  filename = "$d/rspamd.log";
  level = "info";
}
actions {
  reject = null; add_header = null; greylist = null; rewrite_subject = null;
}
worker "rspamd_proxy" {
  bind_socket = "127.0.0.1:$RSPAMD_PORT";
  milter = yes;
  timeout = 120s;
  upstream "local" {
    default = yes;
    self_scan = yes;                # scan in the proxy itself: no normal worker
  }
  count = 1;
}
dkim {
}
dkim_signing {
  sign_local = true;                # 127.0.0.0/8 is local (local_addrs)
  sign_authenticated = true;
  allow_hdrfrom_mismatch = false;
  use_domain = "header";
  use_esld = true;
  # mailkeys' map, read in place: "domain { ... selectors [ { path; selector; } ] }"
  .include "$H/Keys/rspamd/dkim_signing.conf"
}
CONF
}
proxy_starts() { grep -c 'starting rspamd_proxy process' "$W/rspamd/rspamd.log" 2>/dev/null || true; }
proxy_started_more_than() { [ "$(proxy_starts)" -gt "$1" ]; }
RSPAMD_REVERTED=
reload_done_or_reverted() {  # N OFFSET: a new proxy worker, or rspamd kept its old config
  proxy_started_more_than "$1" && return 0
  tail -c +"$(($2 + 1))" "$W/rspamd/rspamd.log" 2>/dev/null | grep -q 'revert to old one' || return 1
  RSPAMD_REVERTED=1
}
rspamd_start() {
  local d=$W/rspamd
  rspamd_check_keys
  # the main process binds the port before it loads the config: wait for the proxy worker
  spawn rspamd rspamd "$d/stdout" rspamd -f -c "$d/rspamd.conf" -u _rspamd -g _rspamd \
    --var=DBDIR="$d/db" --var=RUNDIR="$d/run" --var=LOGDIR="$d" --var=LOCAL_CONFDIR="$d"
  wait_for "rspamd (proxy worker)" "$(pid_of rspamd)" "$d/rspamd.log" proxy_started_more_than 0
}
rspamd_reload() {  # HUP: the main process re-reads the config (and the map), starts a new proxy worker
  local pid n old off
  if ! pid=$(pid_of rspamd) || ! alive "$pid" rspamd; then die "rspamd is not running (see $W/rspamd/rspamd.log)"; fi
  rspamd_check_keys
  n=$(proxy_starts)
  off=$(stat -c %s "$W/rspamd/rspamd.log")
  old=$(pgrep -P "$pid" -f rspamd_proxy | tr '\n' ' ' || true)  # the proxy worker(s) to replace
  kill -HUP "$pid"
  deadline_in 20
  wait_for "rspamd reload (new proxy worker)" "$pid" "$W/rspamd/rspamd.log" reload_done_or_reverted "$n" "$off"
  if [ -n "$RSPAMD_REVERTED" ]; then
    tail -c +"$((off + 1))" "$W/rspamd/rspamd.log" | grep -E 'config_read|revert' >&2 || true
    die "rspamd rejected the new configuration and kept signing with the old one (see $W/rspamd/rspamd.log)"
  fi
  # the old worker finishes its sessions and exits about 1 s later: wait, so no message reaches it
  local p; for p in $old; do
    while alive "$p" && before_deadline; do sleep 0.05; done
  done
}

# ---------------------------------------------------------------------------------------------
# Postfix

pf() {  # pf INST ARGS...: postfix -c CONF ARGS in the namespace. Postfix prints its fatal errors
        # only to syslog or a tty: script(1) gives it one, the output goes to INST/postfix.out
  local d=$W/$1; shift
  ( close_fds; exec "${X[@]}" script -qec "postfix -c $d/conf $*" /dev/null ) </dev/null >>"$d/postfix.out" 2>&1
}
pf_fail() { echo "mailworld: postfix $1 failed; $W/$1/postfix.out and maillog:" >&2
  tail -n 10 "$W/$1/postfix.out" >&2 2>/dev/null || true; tail -n 10 "$W/$1/maillog" >&2 2>/dev/null || true
  die "postfix $1: $2"; }
pf_settle() {  # pf_settle INST: Postfix re-reads a main.cf younger than ~1 s in 0.3 s steps until
               # it is older (up to 1.5 s per command): date the config files back
  touch -d '-1 min' "$W/$1/conf/main.cf" "$W/$1/conf/master.cf"
}
pf_common_conf() {  # pf_common_conf INST HOSTNAME INTERFACE PORT
  local d=$W/$1
  mkdir -p "$d/conf" "$d/spool" "$d/data"
  chown postfix "$d/data"  # master.lock, TLS caches
  cp "$LIB/master.cf" "$d/conf/master.cf"
  echo "$3:$4      inet  n       -       n       -       -       smtpd" >> "$d/conf/master.cf"
  cat > "$d/conf/main.cf" <<CONF
# Postfix instance $1 of the mail world in $W
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
maillog_file = $d/maillog
maillog_file_prefixes = $W
myhostname = $2
inet_interfaces = $3
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
alias_maps =
alias_database =
smtpd_banner = \$myhostname ESMTP
CONF
}
rx_tls_conf() {  # the receiver's certificate: HOME's, when there is one
  local main=$W/rx/conf/main.cf
  sed -i '/^smtpd_tls_\(chain_files\|security_level\) = /d' "$main"
  if [ -e "$TLS_DIR/privkey.pem" ] && [ -e "$TLS_DIR/fullchain.pem" ]; then
    printf 'smtpd_tls_chain_files = %s, %s\nsmtpd_tls_security_level = may\n' \
      "$TLS_DIR/privkey.pem" "$TLS_DIR/fullchain.pem" >> "$main"
  else
    warn "$TLS_DIR has no privkey.pem/fullchain.pem: the receiver offers no STARTTLS"
    printf 'smtpd_tls_security_level = none\n' >> "$main"
  fi
  pf_settle rx
}
rx_conf() {
  pf_common_conf rx "$MX_HOST" "$RX_ADDR" 25
  mkdir -p "$W/rx/mail"
  chown 65534:65534 "$W/rx/mail"
  cat >> "$W/rx/conf/main.cf" <<CONF
mydomain = $DOMAIN
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_base = $W/rx/mail
# every recipient -> the maildir $W/rx/mail/inbox/
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
smtpd_milters = inet:127.0.0.1:$ODKIM_VERIFY_PORT
milter_default_action = accept
CONF
  rx_tls_conf
}
tx_milters() {
  if [ "$SIGNER" = rspamd ]; then echo "inet:127.0.0.1:$RSPAMD_PORT"; return; fi
  local out=() s
  for s in "${ODKIM_SIGNERS[@]}"; do out+=("inet:127.0.0.1:$(odkim_port "$s")"); done
  local joined; joined=$(IFS=,; echo "${out[*]}"); echo "${joined//,/, }"
}
tx_conf() {
  pf_common_conf tx sender.test 127.0.0.1 "$TX_PORT"
  cat >> "$W/tx/conf/main.cf" <<CONF
mydomain = sender.test
myorigin = $DOMAIN
# DANE: MX/A/TLSA from the namespace's validating unbound; Postfix 3.7 asks for AD itself
smtp_dns_support_level = dnssec
smtp_tls_security_level = dane
smtp_tls_loglevel = 1
# deferred mail waits for an explicit flush (postqueue -f), so a test decides when it is retried
minimal_backoff_time = 3600s
maximal_backoff_time = 3600s
queue_run_delay = 3600s
smtpd_milters = $(tx_milters)
non_smtpd_milters = \$smtpd_milters
milter_default_action = tempfail
CONF
  pf_settle tx
}
pf_start() {  # pf_start INST ADDR PORT
  local inst=$1
  pf "$inst" start || pf_fail "$inst" "start failed"  # runs `postfix check` first
  local pidf=$W/$inst/spool/pid/master.pid
  wait_for "postfix $inst master" "" "$W/$inst/maillog" test -s "$pidf"
  record "pf-$inst" "$(tr -d ' ' < "$pidf")" master
  wait_for "postfix $inst smtpd ($2:$3)" "$(pid_of "pf-$inst")" "$W/$inst/maillog" listening "$2" "$3"
}
master_reloaded_since() {  # INST OFFSET: the master logged "reload" after byte OFFSET of its maillog
  tail -c +"$(($2 + 1))" "$W/$1/maillog" 2>/dev/null | grep -q 'postfix/master\[[0-9]*\]: reload'
}
pf_reload() {  # pf_reload INST: postfix reload, then wait for the master's "reload" line
  local inst=$1 off
  off=$(stat -c %s "$W/$inst/maillog" 2>/dev/null || echo 0)
  pf "$inst" reload || pf_fail "$inst" "reload failed"
  deadline_in 10
  wait_for "postfix $inst reload" "$(pid_of "pf-$inst")" "$W/$inst/maillog" master_reloaded_since "$inst" "$off"
}

# ---------------------------------------------------------------------------------------------
# down

teardown() {
  [ -n "${W:-}" ] || return 0
  local f name pid comm sig pids=()
  for f in "$W"/pids/*; do
    name=$(basename "$f"); read -r pid comm < "$f" || continue
    if [ -n "$pid" ] && alive "$pid" "$comm"; then
      sig=TERM; if [ "$comm" = opendkim ]; then sig=KILL; fi
      kill -s "$sig" "$pid" 2>/dev/null || true
      pids+=("$pid:$comm")
    fi
  done
  local t0=$EPOCHREALTIME p
  for p in "${pids[@]}"; do
    while alive "${p%%:*}" "${p#*:}" && awk -v a="$t0" -v n="$EPOCHREALTIME" 'BEGIN { exit !(n - a < 2) }'; do sleep 0.05; done
    if alive "${p%%:*}" "${p#*:}"; then kill -KILL "${p%%:*}" 2>/dev/null || true; fi
  done
  # whatever is left in the namespace was started by this world (e.g. a Postfix child)
  if ip netns list 2>/dev/null | grep -qw "^$NETNS"; then
    local left; left=$(ip netns pids "$NETNS" 2>/dev/null || true)
    for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
    for p in $left; do for _ in $(seq 50); do alive "$p" || break; sleep 0.02; done; done
    ip netns del "$NETNS" 2>/dev/null || true
  fi
  rm -rf "/etc/netns/$NETNS"
  rmdir /etc/netns 2>/dev/null || true
  rm -f "$W"/pids/*
}

# ---------------------------------------------------------------------------------------------
# subcommands

cmd_up() {
  [ $# = 3 ] || usage
  SIGNER=$3
  case $SIGNER in opendkim|rspamd) ;; *) die "SIGNER must be opendkim or rspamd, not '$SIGNER'";; esac
  preflight "$SIGNER"
  set_work "$1"; set_home "$2"
  lock
  [ -e "$W/world.env" ] && die "a world was already started in $W: run 'mailworld.sh down $W' first, and use a fresh WORK"
  ip netns list 2>/dev/null | grep -qw "^$NETNS" && die "network namespace $NETNS exists already: run 'mailworld.sh down $W'"
  local t0=$EPOCHREALTIME
  deadline_in "${MAILWORLD_UP_TIMEOUT:-30}"
  chmod o+x "$W"
  mkdir -p "$W/pids" "$W/nsd" "$W/unbound" "$W/opendkim" "$W/tx/sent"
  trap 'rc=$?; if [ $rc != 0 ]; then echo "mailworld: up failed; stopping what was started (logs stay in $W)" >&2; teardown >/dev/null 2>&1 || true; fi' EXIT
  # uid 65534 writes the maildir below WORK; make sure it can get there
  setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$W" ||
    die "uid 65534 cannot traverse to $W (a directory above it is not world-searchable)"

  netns_up
  step netns
  # DNS
  publish_zone
  write_anchor "$W/unbound/anchor.key"
  printf 'MW_HOME=%q\nMW_SIGNER=%q\nMW_NETNS=%q\nMW_ANCHOR=%q\nMW_MAILKEYS_BIN=%q\n' \
    "$H" "$SIGNER" "$NETNS" "$ANCHOR_MODE" "${MAILKEYS_BIN:-}" > "$W/world.env"
  write_nsd_conf
  spawn nsd nsd "$W/nsd/stdout" nsd -d -c "$W/nsd/nsd.conf"
  write_unbound_conf
  spawn unbound unbound "$W/unbound/unbound.log" unbound -d -c "$W/unbound/unbound.conf"
  step "nsd+unbound spawned"
  wait_for "nsd" "$(pid_of nsd)" "$W/nsd/nsd.log" nsd_serves_serial "$SERIAL"
  wait_for "unbound" "$(pid_of unbound)" "$W/unbound/unbound.log" ubctl status
  check_validation
  step "dns ready"
  # milters
  start_syslogd
  odkim_verifier_conf
  odkim_start verify "$ODKIM_VERIFY_PORT"
  step "syslogd+verifier"
  ODKIM_SIGNERS=()
  if [ "$SIGNER" = opendkim ]; then
    odkim_signers_conf
    local s; for s in "${ODKIM_SIGNERS[@]}"; do odkim_start "$s" "$(odkim_port "$s")"; done
  else
    write_rspamd_conf
    rspamd_start
  fi
  step signer
  # Postfix
  rx_conf
  tx_conf
  pf_start rx "$RX_ADDR" 25
  step "postfix rx"
  pf_start tx 127.0.0.1 "$TX_PORT"
  step "postfix tx"
  trap - EXIT
  printf 'netns=%s\nsigner=%s\nanchor=%s\nseconds=%s\n' "$NETNS" "$SIGNER" "$ANCHOR_MODE" "$(t_since "$t0")"
}

cmd_dns() {
  [ $# = 2 ] || usage
  set_work "$1"
  load_state
  local h_arg; h_arg=$(realpath -e "$2") || die "HOME $2 does not exist"
  [ "$h_arg" = "$H" ] || die "this world serves $H, not $h_arg"
  preflight "$SIGNER"
  lock
  local t0=$EPOCHREALTIME changed=unchanged
  publish_zone
  write_anchor "$W/unbound/anchor.new"
  nsd-control -c "$W/nsd/nsd.conf" reload "$DOMAIN" >/dev/null || die "nsd-control reload failed; $W/nsd/nsd.log: $(tail -n 5 "$W/nsd/nsd.log")"
  deadline_in 5
  step "zone+anchor"
  wait_for "nsd serving serial $SERIAL" "$(pid_of nsd)" "$W/nsd/nsd.log" nsd_serves_serial "$SERIAL"
  if cmp -s "$W/unbound/anchor.new" "$W/unbound/anchor.key"; then
    rm -f "$W/unbound/anchor.new"
    ubctl flush_zone "$DOMAIN"
    ubctl flush_bogus
    ubctl flush_negative
    ubctl flush_infra all
  else
    mv -f "$W/unbound/anchor.new" "$W/unbound/anchor.key"
    ubctl reload || die "unbound-control reload failed; see $W/unbound/unbound.log"
    deadline_in 5
    wait_for "unbound after reload" "$(pid_of unbound)" "$W/unbound/unbound.log" ubctl status
    changed=changed
  fi
  step "nsd reload, unbound $changed"
  check_validation
  if [ "$changed" = changed ]; then  # the verifier reads the anchor at start
    odkim_stop verify
    deadline_in 5
    odkim_start verify "$ODKIM_VERIFY_PORT"
  fi
  step validation+verifier
  # signers
  if [ "$SIGNER" = opendkim ]; then
    odkim_stop rsa; odkim_stop ed25519
    odkim_signers_conf
    local s; for s in "${ODKIM_SIGNERS[@]}"; do deadline_in 5; odkim_start "$s" "$(odkim_port "$s")"; done
    postconf -c "$W/tx/conf" -e "smtpd_milters = $(tx_milters)"
    pf_settle tx
  else
    rspamd_reload
  fi
  # Postfix: the receiver's certificate, the sender's TLSA cache (both read at process start)
  step signers
  rx_tls_conf
  pf_reload rx
  pf_reload tx
  step "postfix reloads"
  printf 'serial=%s\nanchor=%s\nseconds=%s\n' "$SERIAL" "$changed" "$(t_since "$t0")"
}

valid_tag() { [[ ${1:-} =~ ^[A-Za-z0-9._-]+$ ]] || die "TAG '${1:-}': use [A-Za-z0-9._-]+"; }

cmd_send() {
  [ $# = 2 ] || usage
  set_work "$1"; load_state; valid_tag "$2"
  local tag=$2 out off qid msgid rc=0
  ip netns list 2>/dev/null | grep -qw "^$NETNS" || die "the world in $W is not up"
  off=$(stat -c %s "$W/tx/maillog" 2>/dev/null || echo 0)
  out=$("${X[@]}" "$PY" "$LIB/send.py" submit "$tag" 9>&-) || rc=$?
  if [ $rc != 0 ]; then
    echo "mailworld: sender log tail:" >&2; tail -n 8 "$W/tx/maillog" >&2 2>/dev/null || true
    exit 4
  fi
  read -r qid msgid <<<"$out"
  echo "$qid $msgid" > "$W/tx/sent/$tag"
  exec "$PY" "$LIB/send.py" wait "$W" "$qid" "$msgid" "$off" "${MAILWORLD_SEND_TIMEOUT:-20}"
}

cmd_flush() {
  [ $# = 1 ] || [ $# = 2 ] || usage
  set_work "$1"; load_state
  local off qid msgid
  off=$(stat -c %s "$W/tx/maillog" 2>/dev/null || echo 0)
  if [ $# = 2 ]; then
    valid_tag "$2"
    [ -f "$W/tx/sent/$2" ] || die "no message with tag $2 was sent in this world"
    read -r qid msgid < "$W/tx/sent/$2"
  fi
  "${X[@]}" postqueue -c "$W/tx/conf" -f </dev/null 9>&- || die "postqueue -f failed; see $W/tx/maillog"
  [ $# = 2 ] || return 0
  exec "$PY" "$LIB/send.py" wait "$W" "$qid" "$msgid" "$off" "${MAILWORLD_SEND_TIMEOUT:-20}"
}

cmd_verify() {
  [ $# = 2 ] || usage
  set_work "$1"; load_state
  [ -r "$2" ] || die "cannot read $2"
  local f; f=$(realpath -e "$2")
  exec "${X[@]}" "$PY" "$LIB/dkim_verify.py" "$f" 127.0.0.1 53
}

cmd_down() {
  [ $# = 1 ] || usage
  set_work "$1" gone-ok  # a removed WORK still names its namespace
  [ -d "$W" ] && lock
  teardown
}

main() {
  local cmd=${1:-}; [ $# -gt 0 ] && shift
  case $cmd in
    up) cmd_up "$@" ;;
    dns) cmd_dns "$@" ;;
    send) cmd_send "$@" ;;
    flush) cmd_flush "$@" ;;
    verify) cmd_verify "$@" ;;
    down) cmd_down "$@" ;;
    *) usage ;;
  esac
}

main "$@"
