import GRDB

extension Store {
    /// The append-only, named migrations; each runs in its own transaction. Never edit one that
    /// has shipped: add a new one.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("2026-11-21-domains") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(
                sql: """
                    CREATE TABLE domain (
                        name TEXT PRIMARY KEY NOT NULL
                            CHECK (length(name) BETWEEN 1 AND 253 AND name = lower(name) AND name NOT LIKE '%.'),
                        serial INTEGER CHECK (serial BETWEEN 1 AND 4294967295),
                        content_hash TEXT CHECK (content_hash IS NULL OR length(content_hash) = 64),
                        file_hash TEXT CHECK (file_hash IS NULL OR length(file_hash) = 64),
                        built_at INTEGER,
                        added_at INTEGER NOT NULL,
                        CHECK ((serial IS NULL) = (content_hash IS NULL))
                    ) STRICT
                    """
            )
        }
        m.registerMigration("2026-11-21-keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE key (
                        id INTEGER PRIMARY KEY,
                        domain TEXT NOT NULL REFERENCES domain(name) ON DELETE RESTRICT,
                        kind TEXT NOT NULL CHECK (kind IN ('dkim', 'tls', 'dnssec')),
                        name TEXT NOT NULL CHECK (length(name) > 0),
                        algorithm TEXT NOT NULL CHECK (length(algorithm) > 0),
                        created_at INTEGER NOT NULL,
                        published_at INTEGER CHECK (published_at >= created_at),
                        active_at INTEGER CHECK (active_at >= published_at),
                        retired_at INTEGER CHECK (retired_at >= active_at),
                        removed_at INTEGER CHECK (removed_at >= published_at),
                        UNIQUE (domain, kind, name)
                    ) STRICT
                    """
            )
        }
        m.registerMigration("2026-11-21-events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE event (
                        id INTEGER PRIMARY KEY,
                        at INTEGER NOT NULL,
                        domain TEXT REFERENCES domain(name) ON DELETE CASCADE,
                        action TEXT NOT NULL CHECK (length(action) > 0),
                        detail TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX event_at ON event(at);
                    """
            )
        }
        m.registerMigration("2026-11-21-dkim") { db in
            try db.execute(
                sql: """
                    ALTER TABLE key ADD COLUMN public_key TEXT CHECK (public_key IS NULL OR length(public_key) > 0);
                    ALTER TABLE key ADD COLUMN revoked_at INTEGER;
                    ALTER TABLE key ADD COLUMN revealed_at INTEGER;
                    CREATE TRIGGER key_dkim_public_key BEFORE INSERT ON key
                    WHEN NEW.kind = 'dkim' AND NEW.public_key IS NULL
                    BEGIN SELECT RAISE(ABORT, 'a DKIM key needs its public key'); END;
                    """
            )
        }
        m.registerMigration("2026-11-21-dnssec") { db in
            try db.execute(
                sql: """
                    ALTER TABLE key ADD COLUMN role TEXT CHECK (role IS NULL OR role IN ('csk', 'ksk', 'zsk'));
                    ALTER TABLE domain ADD COLUMN signed_file_hash TEXT CHECK (signed_file_hash IS NULL OR length(signed_file_hash) = 64);
                    ALTER TABLE domain ADD COLUMN signatures_expire_at INTEGER;
                    CREATE TRIGGER key_dnssec_role BEFORE INSERT ON key
                    WHEN NEW.kind = 'dnssec' AND (NEW.role IS NULL OR NEW.public_key IS NULL)
                    BEGIN SELECT RAISE(ABORT, 'a DNSSEC key needs its role and DNSKEY'); END;
                    """
            )
        }
        // KSK/CSK rollovers: CDS/CDNSKEY published (ready), then the new DS seen at the parent.
        m.registerMigration("2026-11-22-ksk") { db in
            try db.execute(
                sql: """
                    ALTER TABLE key ADD COLUMN ready_at INTEGER
                        CHECK (ready_at IS NULL OR (published_at IS NOT NULL AND ready_at >= published_at));
                    ALTER TABLE key ADD COLUMN ds_seen_at INTEGER
                        CHECK (ds_seen_at IS NULL OR (ready_at IS NOT NULL AND ds_seen_at >= ready_at));
                    """
            )
        }
        m.registerMigration("2026-11-22-tls") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tls_cert (
                        id INTEGER PRIMARY KEY,
                        domain TEXT NOT NULL REFERENCES domain(name) ON DELETE RESTRICT,
                        host TEXT NOT NULL CHECK (length(host) BETWEEN 1 AND 253 AND host = lower(host)),
                        fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
                        spki TEXT NOT NULL CHECK (length(spki) = 64),
                        key_type TEXT NOT NULL CHECK (key_type IN ('rsa', 'ecdsa')),
                        issuers TEXT NOT NULL,
                        not_before INTEGER NOT NULL,
                        not_after INTEGER NOT NULL CHECK (not_after > not_before),
                        lineage TEXT,
                        state TEXT NOT NULL CHECK (state IN ('pending', 'served', 'replaced')),
                        imported_at INTEGER NOT NULL,
                        installed_at INTEGER CHECK (installed_at IS NULL OR installed_at >= imported_at),
                        replaced_at INTEGER CHECK (replaced_at IS NULL OR replaced_at >= imported_at),
                        CHECK ((state = 'served') = (installed_at IS NOT NULL AND replaced_at IS NULL) OR state = 'replaced'),
                        UNIQUE (domain, host, fingerprint)
                    ) STRICT;
                    CREATE TABLE tlsa (
                        domain TEXT NOT NULL REFERENCES domain(name) ON DELETE CASCADE,
                        owner TEXT NOT NULL CHECK (length(owner) > 0),
                        rdata TEXT NOT NULL CHECK (rdata GLOB '[23] 1 1 *' AND length(rdata) = 70),
                        published_at INTEGER NOT NULL,
                        removed_at INTEGER CHECK (removed_at IS NULL OR removed_at >= published_at),
                        PRIMARY KEY (domain, owner, rdata)
                    ) STRICT;
                    """
            )
        }
        m.registerMigration("2026-11-22-tls-next") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tls_next (
                        domain TEXT NOT NULL REFERENCES domain(name) ON DELETE RESTRICT,
                        host TEXT NOT NULL CHECK (length(host) BETWEEN 1 AND 253 AND host = lower(host)),
                        key_type TEXT NOT NULL CHECK (key_type IN ('rsa', 'ecdsa')),
                        spki TEXT NOT NULL CHECK (length(spki) = 64),
                        created_at INTEGER NOT NULL,
                        used_at INTEGER CHECK (used_at IS NULL OR used_at >= created_at),
                        PRIMARY KEY (domain, host, spki)
                    ) STRICT;
                    """
            )
        }
        m.registerMigration("2026-11-22-export") { db in
            try db.execute(
                sql: """
                    CREATE TABLE export (
                        domain TEXT NOT NULL REFERENCES domain(name) ON DELETE CASCADE,
                        target TEXT NOT NULL CHECK (length(target) > 0),
                        serial INTEGER NOT NULL CHECK (serial BETWEEN 1 AND 4294967295),
                        file_hash TEXT NOT NULL CHECK (length(file_hash) = 64),
                        attempted_at INTEGER NOT NULL,
                        confirmed_at INTEGER,
                        error TEXT,
                        CHECK ((confirmed_at IS NULL) = (error IS NOT NULL)),
                        PRIMARY KEY (domain, target)
                    ) STRICT;
                    """
            )
        }
        m.registerMigration("2026-12-01-intent") { db in try db.execute(sql: IntentStep.createTable) }
        m.registerMigration("2026-12-02-schedule") { db in try db.execute(sql: ScheduleRecord.createTable) }
        m.registerMigration("2026-12-02-policy-files") { db in try db.execute(sql: PolicyFileRecord.createTable) }
        // Indexes for the per-domain reads (DomainQuery), in the order they list a domain's rows:
        // the one-domain and list forms search them and no form sorts. And for a domain's newest
        // events, until now a scan of the whole log (which only grows).
        m.registerMigration("2026-12-02-indexes") { db in
            try db.execute(
                sql: """
                    CREATE INDEX key_kind_domain ON key(kind, domain, created_at, name);
                    CREATE INDEX tls_cert_domain ON tls_cert(domain, imported_at, id);
                    CREATE INDEX tls_next_domain ON tls_next(domain, created_at, spki);
                    CREATE INDEX tlsa_domain ON tlsa(domain, published_at);
                    CREATE INDEX event_domain ON event(domain, id);
                    """
            )
        }
        m.registerMigration("2026-12-02-signer-tables") { db in
            try db.execute(sql: SignerTablesRecord.createTable)
            try db.execute(sql: SignerEntryRecord.createTable)
        }
        m.registerMigration("2026-12-02-schedule-deadline") { db in
            try db.execute(sql: "ALTER TABLE schedule ADD COLUMN deadline INTEGER")
        }
        // `status DOMAIN` looks for the files that send DMARC reports to the domain without
        // reading every row (the index holds the targets and the key).
        m.registerMigration("2026-12-02-report-targets") { db in
            try db.execute(sql: "CREATE INDEX policy_file_report_targets ON policy_file(report_targets)")
        }
        // A certificate's run finds the domain files naming its host as MX, the signing domains
        // and the earliest event without reading every row.
        m.registerMigration("2026-12-02-certificate-run") { db in
            try db.execute(
                sql: """
                    CREATE INDEX policy_file_mx_hosts ON policy_file(mx_hosts);
                    CREATE INDEX policy_file_domain ON policy_file(domain, dkim_enabled, dkim_group);
                    CREATE INDEX schedule_next ON schedule(next_at, domain);
                    """
            )
        }
        // `status` shows the last export each target was seen serving, also after a failure.
        m.registerMigration("2026-12-02-export-confirmed") { db in try db.execute(sql: ExportRecord.addConfirmed) }
        // The TTLs each zone was served with, so that lowering one never shortens a wait.
        m.registerMigration("2026-12-02-ttl-served") { db in try db.execute(sql: TTLServedRecord.createTable) }
        // Whether the home is a simulation (runs may act at a --now ahead of the clock).
        m.registerMigration("2026-12-02-home-meta") { db in try db.execute(sql: Store.createHomeMeta) }
        // Domains being taken down (`domain remove`) and those taken down, with their archive.
        m.registerMigration("2026-12-02-removal") { db in try db.execute(sql: Store.createRemoval) }
        m.registerMigration("2026-12-02-key-file-check") { db in try db.execute(sql: KeyFileCheck.createTable) }
        return m
    }
}
