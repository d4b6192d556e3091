# mailkeys. `make run` sets up, builds and runs the embedded example.org in this directory;
# `make test` sets up and runs every test. Both install missing Debian packages when run as root.

SWIFT      ?= swift
BIN        := .build/debug/mailkeys
EXAMPLE    := example.org
# The example home is this directory: mailkeys.toml (written by init), Keys/, Zones/.
RUN_HOME   ?= .
INIT_ARGS  := --domain $(EXAMPLE) \
              --mx mail.$(EXAMPLE)=192.0.2.25,2001:db8::25 \
              --ns ns1.$(EXAMPLE)=192.0.2.53,2001:db8::53 --ns ns2.example.net \
              --rua mailto:dmarc-reports@$(EXAMPLE)

# Needed to build and run.
BUILD_PKGS := pkg-config libldns-dev libssl-dev libsqlite3-dev
# The real peers the tests drive.
TEST_PKGS  := $(BUILD_PKGS) openssl sqlite3 ldnsutils bind9 bind9-utils bind9-dnsutils knot knot-dnsutils nsd certbot pebble curl postfix systemd python3-dkim opendkim opendkim-tools unbound rspamd iproute2 prometheus man-db gnutls-bin

PREFIX     ?= /usr/local
DESTDIR    ?=
# `make install CONFIG=debug SKIP_BUILD=1` installs the debug build as it is (the tests use it).
CONFIG     ?= release
STATE_DIR  ?= /var/lib/mailkeys
UNIT_DIR   ?= /etc/systemd/system

.PHONY: run build test test-shifted deps test-deps bench bench-scale format lint clean install

define install_missing
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing Debian packages:$$missing -- run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi
endef

deps:
	$(call install_missing,$(BUILD_PKGS))

test-deps:
	$(call install_missing,$(TEST_PKGS))

build: deps
	$(SWIFT) build

run: build
	@if [ ! -f $(RUN_HOME)/mailkeys.toml ]; then \
	  $(BIN) init --home $(RUN_HOME) $(INIT_ARGS); \
	fi
	$(BIN) tick --home $(RUN_HOME)
	@echo "---- Zones/$(EXAMPLE).zone ----"
	@cat $(RUN_HOME)/Zones/$(EXAMPLE).zone
	@echo "---- Zones/$(EXAMPLE).zone.signed: first lines ----"
	@head -n 12 $(RUN_HOME)/Zones/$(EXAMPLE).zone.signed
	@echo "---- DS for the registrar ----"
	$(BIN) ds --home $(RUN_HOME) $(EXAMPLE)
	@echo "---- status ----"
	$(BIN) status --home $(RUN_HOME) $(EXAMPLE)
	@echo "---- DKIM signers for this home (README: Signers) ----"
	@echo "OpenDKIM, RSA instance:      KeyTable file:$(abspath $(RUN_HOME))/Keys/opendkim/KeyTable"
	@echo "                             SigningTable refile:$(abspath $(RUN_HOME))/Keys/opendkim/SigningTable"
	@echo "                             SignatureAlgorithm rsa-sha256, MultipleSignatures yes, Socket inet:8891@127.0.0.1"
	@echo "OpenDKIM, Ed25519 instance:  KeyTable file:$(abspath $(RUN_HOME))/Keys/opendkim/KeyTable.ed25519"
	@echo "                             SigningTable refile:$(abspath $(RUN_HOME))/Keys/opendkim/SigningTable.ed25519"
	@echo "                             SignatureAlgorithm ed25519-sha256, MultipleSignatures yes, Socket inet:8892@127.0.0.1"
	@echo "Postfix main.cf:             smtpd_milters = inet:127.0.0.1:8891, inet:127.0.0.1:8892"
	@echo "                             non_smtpd_milters = \$$smtpd_milters"
	@echo "rspamd local.d/dkim_signing.conf: .include \"$(abspath $(RUN_HOME))/Keys/rspamd/dkim_signing.conf\""

# The suites where an injected `--now` meets something with its own clock (certificates, pebble,
# ldns-verify-zone -t): `make test` runs them again with every injected instant and fixture moved
# by each of SHIFT_DAYS, so a test that mixes the wall clock with an injected one fails on any date.
DATED_SUITES := TLSTests|ScheduleTests|PolicyLayoutTests|CheckTests|CertbotTests|ZoneMapTests|KSKRolloverTests|ZSKRolloverTests|DKIMContinuityTests|IncrementalSigningTests|MailFlowTests|CrashTests|MetricsTests|JSONOutputTests|DomainRemovalTests
SHIFT_DAYS   ?= 400 1461

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) build --product generate-manual
	$(SWIFT) test --skip-build --disable-xctest
	$(MAKE) --no-print-directory test-shifted

test-shifted:
	@for d in $(SHIFT_DAYS); do \
	  echo "---- date-sensitive suites, every injected instant +$$d days ----"; \
	  MAILKEYS_TEST_SHIFT_DAYS=$$d $(SWIFT) test --skip-build --disable-xctest \
	    --filter 'MailKeysIntegrationTests\.($(DATED_SUITES))' || exit 1; \
	done

# Signs a 100,000-name zone with mailkeys and with ldns-signzone in one run and prints the ratios
# (NAMES=... to change the size). Results go in BENCHMARKS.md.
bench:
	$(call install_missing,$(BUILD_PKGS) ldnsutils time python3)
	bench/run.sh

# The everyday commands (idle tick, one renewal, status, re-sign day) on homes of N small signed
# domains, for each N in SIZES (default "1 100 1000"; LAYOUT=single or dir), as one markdown
# table with the ratios to the 1-domain home. Results go in BENCHMARKS.md.
bench-scale:
	$(call install_missing,$(BUILD_PKGS) openssl ldnsutils time python3)
	bench/scale.sh

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

clean:
	rm -rf .build

# Binary to PREFIX/bin, the systemd units, the README, and an empty home (0700, root) at
# STATE_DIR; an existing home is left as it is. Then: mailkeys init --home STATE_DIR ...,
# systemctl daemon-reload, systemctl enable --now mailkeys.timer.
install:
	@if [ -z "$(SKIP_BUILD)" ]; then $(MAKE) deps && $(SWIFT) build -c $(CONFIG) && \
	  $(SWIFT) build -c $(CONFIG) --product generate-manual; fi
	install -D -m 0755 .build/$(CONFIG)/mailkeys $(DESTDIR)$(PREFIX)/bin/mailkeys
	install -D -m 0644 systemd/mailkeys.service $(DESTDIR)$(UNIT_DIR)/mailkeys.service
	install -D -m 0644 systemd/mailkeys.timer $(DESTDIR)$(UNIT_DIR)/mailkeys.timer
	for u in mailkeys-check@.service mailkeys-check@.timer mailkeys-failure@.service; do \
	  install -D -m 0644 systemd/$$u $(DESTDIR)$(UNIT_DIR)/$$u; done
	sed -i 's|/usr/local/bin/mailkeys|$(PREFIX)/bin/mailkeys|; s|/var/lib/mailkeys|$(STATE_DIR)|; s|/usr/local/share|$(PREFIX)/share|' \
	  $(DESTDIR)$(UNIT_DIR)/mailkeys.service $(DESTDIR)$(UNIT_DIR)/mailkeys-check@.service
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/mailkeys/README.md
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	@test -x .build/$(CONFIG)/generate-manual || { echo "no .build/$(CONFIG)/generate-manual: run swift build -c $(CONFIG) --product generate-manual" >&2; exit 1; }
	.build/$(CONFIG)/generate-manual .build/$(CONFIG)/mailkeys --output-directory $(DESTDIR)$(PREFIX)/share/man/man1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	.build/$(CONFIG)/mailkeys --generate-completion-script bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/mailkeys
	.build/$(CONFIG)/mailkeys --generate-completion-script zsh >$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_mailkeys
	.build/$(CONFIG)/mailkeys --generate-completion-script fish >$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/mailkeys.fish
	install -d -m 0700 $(DESTDIR)$(STATE_DIR)

