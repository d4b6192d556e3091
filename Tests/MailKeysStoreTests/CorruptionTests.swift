import Foundation
import MailKeysCore
import Testing

@testable import MailKeysStore

/// Values the store never writes, as a damaged or hand-edited file holds them: every read
/// reports a corrupt store, quoting the value, and nothing crashes.
@Suite struct CorruptionTests {
    /// A name the domain table's CHECK lets through but no policy can hold.
    static let badName = "exa..mple.org"

    @Test func anUnparsableDomainNameIsReported() throws {
        let store = try store()
        try writeRaw(store, "INSERT INTO domain (name, added_at) VALUES (?, 0)", [Self.badName])
        expectStoreError(.corrupt, "corrupt", "domain.name", "'\(Self.badName)'") { try store.domains() }
    }

    @Test func anUnparsableDomainInAnEventOrKeyIsReported() throws {
        let store = try store()
        try writeRaw(store, "INSERT INTO domain (name, added_at) VALUES (?, 0)", [Self.badName])
        try writeRaw(store, "INSERT INTO event (at, domain, action, detail) VALUES (0, ?, 'x', '')", [Self.badName])
        expectStoreError(.corrupt, "event.domain", Self.badName) { try store.events() }
        try writeRaw(
            store,
            """
            INSERT INTO key (domain, kind, name, algorithm, public_key, created_at)
            VALUES (?, 'dkim', 's', 'rsa', 'k', 0)
            """,
            [Self.badName]
        )
        expectStoreError(.corrupt, "key.domain", Self.badName) { try store.keys() }
    }

    @Test func malformedKeysAreReported() throws {
        let store = try store()
        let org = try name("example.org")
        try writeRaw(
            store,
            """
            INSERT INTO key (domain, kind, name, algorithm, public_key, created_at)
            VALUES ('example.org', 'dkim', 's1', 'dsa', 'k', 0)
            """
        )
        expectStoreError(.corrupt, "s1", "dsa") { try store.dkimKeys(domain: org) }
        try writeRaw(
            store,
            """
            INSERT INTO key (domain, kind, name, algorithm, public_key, role, created_at)
            VALUES ('example.org', 'dnssec', 'not-a-tag', '13', 'k', 'zsk', 0)
            """
        )
        expectStoreError(.corrupt, "not-a-tag", "example.org") { try store.dnssecKeys(domain: org) }
    }

    @Test func valuesOutsideTheirChecksAreReported() throws {
        let store = try store()
        let org = try name("example.org")
        let hash = String(repeating: "a", count: 64)
        try writeRaw(
            store,
            checks: false,
            "UPDATE domain SET serial = 4294967296, content_hash = ? WHERE name = 'example.org'",
            [hash]
        )
        expectStoreError(.corrupt, "domain.serial", "4294967296") { try store.domains() }
        try writeRaw(
            store,
            checks: false,
            """
            INSERT INTO tls_cert (domain, host, fingerprint, spki, key_type, issuers, not_before, not_after, state,
                                  imported_at)
            VALUES ('example.org', 'mail.example.org', ?, ?, 'dsa', '', 0, 1, 'pending', 0)
            """,
            [hash, hash]
        )
        expectStoreError(.corrupt, hash) { try store.tlsCertificates(domain: org) }
        try writeRaw(
            store,
            checks: false,
            "INSERT INTO intent (operation, target, recorded_at) VALUES ('explode', 't', 0)"
        )
        expectStoreError(.corrupt, "explode") { try store.intent() }
    }
}
