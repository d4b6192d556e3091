import Foundation
import MailKeysCore
import Testing

@testable import MailKeysStore

/// The batched per-domain reads: for any list of domains (or all), what the single-domain reads
/// return for each, whether read in one chunk, in several, or in one pass over every row.
@Suite struct BatchReadTests {
    /// `d<i>.example`.
    static func domain(_ i: Int) throws -> DomainName { try name("d\(i).example") }

    /// A 64-character value made from `i` and `tag` (hashes, fingerprints, SPKI digests).
    static func hex(_ i: Int, _ tag: Character) -> String {
        let digits = String(i, radix: 16)
        return String(repeating: tag, count: 64 - digits.count) + digits
    }

    /// The domains the API fills; the others copy their rows.
    static let pattern = 12

    /// A store with `count` domains `d<i>.example`: the first ``pattern`` get a mix of rows that
    /// depends on `i` (`d11` none at all) through the API, every later one a copy of the rows of
    /// `d<i % pattern>`.
    static func populated(_ count: Int) throws -> (Store, [DomainName]) {
        let names = try (0..<count).map(domain)
        let store = try Store.inMemory()
        try store.transaction { tx in
            for (i, d) in names.prefix(pattern).enumerated() {
                try tx.ensureDomain(d, at: t0)
                if i != pattern - 1 { try addRows(tx, i, d) }
            }
        }
        for (i, d) in names.prefix(pattern - 1).enumerated() where i % 2 == 1 {
            let state = ExportState(serial: 7, fileHash: hex(i, "e"), attempted: at(1), confirmed: nil, error: "no")
            try store.recordExport(domain: d, target: "ns1", state: state)
            try store.recordExport(domain: d, target: "ns2", state: state)
        }
        if count > pattern { try copyRows(store, count: count) }
        return (store, names)
    }

    /// Gives `d<i>.example`, for every `i` from ``pattern`` up to `count`, the rows of every table
    /// that `d<i % pattern>` has: thousands of domains in milliseconds (through the API, a debug build
    /// takes a good part of a millisecond a row).
    static func copyRows(_ store: Store, count: Int) throws {
        try store.queue.write { db in
            try db.execute(
                sql: """
                    CREATE TEMP TABLE copy AS
                    WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
                    SELECT 'd' || i || '.example' AS name, 'd' || (i % ?) || '.example' AS source FROM n
                    """,
                arguments: [pattern, count, pattern]
            )
            let tables = [
                ("domain", "name"), ("key", "domain"), ("tls_cert", "domain"), ("tls_next", "domain"),
                ("tlsa", "domain"), ("export", "domain"),
            ]
            for (table, column) in tables {
                let columns = try String.fetchAll(
                    db,
                    sql: "SELECT name FROM pragma_table_info(?) WHERE name NOT IN ('id', ?)",
                    arguments: [table, column]
                )
                let values = columns.map { "\(table).\($0)" }.joined(separator: ", ")
                try db.execute(
                    sql: """
                        INSERT INTO \(table) (\(column), \(columns.joined(separator: ", ")))
                        SELECT copy.name, \(values) FROM \(table) JOIN copy ON \(table).\(column) = copy.source
                        """
                )
            }
            try db.execute(sql: "DROP TABLE copy")
        }
    }

    /// Keys, certificates, TLSA records, a build and a signing for domain `i` (some of them).
    static func addRows(_ tx: StoreTransaction, _ i: Int, _ d: DomainName) throws {
        if i % 4 != 3 {
            // Made in one second: listed by selector, after the older key.
            for s in ["sb", "sa"] { try tx.insertDKIM(KeyTests.dkim(s, created: at(5)), domain: d) }
            try tx.insertDKIM(KeyTests.dkim("old"), domain: d)
        }
        if i % 3 != 2 {
            for tag: UInt16 in [9, 10] { try tx.insertDNSSEC(KeyTests.dnssec(tag, .zsk, created: at(3)), domain: d) }
            try tx.insertDNSSEC(KeyTests.dnssec(UInt16(1000 + i), .ksk), domain: d)
        }
        if i % 2 == 0 {
            var newer = try TLSTests.certificate("b", imported: at(5))
            newer.fingerprint = hex(i, "b")
            try tx.saveTLSCertificate(newer, domain: d)
            try tx.saveTLSCertificate(try TLSTests.certificate("a"), domain: d)
            try tx.recordBuild(d, serial: UInt32(i + 1), contentHash: hex(i, "c"), fileHash: hex(i, "f"), at: at(9))
        }
        if i % 5 == 0 {
            let host = try name("mail.example.org")
            for (s, created): (Character, Date) in [("e", at(2)), ("d", t0)] {
                try tx.saveTLSNextKey(
                    TLSNextKey(host: host, keyType: .rsa, spki: hex(i, s), created: created),
                    domain: d
                )
            }
        }
        if i % 3 == 0 {
            let records = [("_25._tcp.mail", "3 1 1 " + hex(i, "a")), ("_25._tcp.mail", "3 1 1 " + hex(i, "b"))]
            try tx.recordTLSA(domain: d, records: records, now: t0)
            try tx.recordTLSA(domain: d, records: Array(records.prefix(i % 2 + 1)), now: at(10))
        }
        if i % 4 == 0 { try tx.recordSigning(d, fileHash: hex(i, "5"), expiresAt: at(86400)) }
    }

    /// Checks that `batch` holds, for each of `domains`, what `single` returns for it (`missing`
    /// standing for no entry), and has no entry for any other domain.
    static func expectMatches<V: Equatable>(
        _ label: String,
        _ batch: [DomainName: V],
        _ domains: [DomainName],
        missing: V,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ single: (DomainName) throws -> V
    ) throws {
        let extra = Set(batch.keys).subtracting(domains)
        #expect(extra.isEmpty, "\(label): entries for \(extra)", sourceLocation: sourceLocation)
        var wrong: [DomainName] = []
        for d in domains where try batch[d] ?? missing != single(d) { wrong.append(d) }
        #expect(wrong.isEmpty, "\(label) differs for \(wrong.prefix(5))", sourceLocation: sourceLocation)
    }

    /// The signing state as text (tuples are not Equatable).
    static func text(_ s: Store.SigningState) -> String { "\(s.fileHash ?? "-") \(s.expiresAt.map { "\($0)" } ?? "-")" }

    /// Checks every batched read of `list` (nil: every domain, which are `known`) against the
    /// single-domain reads.
    static func expectBatchesMatch(
        _ store: Store,
        _ list: [DomainName]?,
        known: [DomainName],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let domains = list ?? known
        let (dkim, dnssec) = (try store.dkimKeys(domains: list), try store.dnssecKeys(domains: list))
        let (tls, next) = (try store.tlsCertificates(domains: list), try store.tlsNextKeys(domains: list))
        let (tlsa, exports) = (try store.tlsaPublished(domains: list), try store.exports(domains: list))
        let rows = try store.domainRows(domains: list).mapValues { Optional($0) }
        let signing = try store.signingStates(domains: list).mapValues(text)
        let loc = sourceLocation
        try store.reading { tx in
            try expectMatches("DKIM", dkim, domains, missing: [], sourceLocation: loc) { try tx.dkimKeys(domain: $0) }
            try expectMatches("DNSSEC", dnssec, domains, missing: [], sourceLocation: loc) {
                try tx.dnssecKeys(domain: $0)
            }
            try expectMatches("TLS", tls, domains, missing: [], sourceLocation: loc) {
                try tx.tlsCertificates(domain: $0)
            }
            try expectMatches("next", next, domains, missing: [], sourceLocation: loc) {
                try tx.tlsNextKeys(domain: $0)
            }
            try expectMatches("TLSA", tlsa, domains, missing: [:], sourceLocation: loc) {
                try tx.tlsaPublished(domain: $0)
            }
            try expectMatches("exports", exports, domains, missing: [:], sourceLocation: loc) {
                try tx.exports(domain: $0)
            }
            try expectMatches("rows", rows, domains, missing: nil, sourceLocation: loc) { try tx.domain($0) }
            try expectMatches("signing", signing, domains, missing: "- -", sourceLocation: loc) {
                text(try tx.signingState($0))
            }
        }
    }

    @Test func batchesMatchTheSingleReadsForAFewDomains() throws {
        let (store, names) = try Self.populated(13)
        let nowhere = try name("nowhere.example")
        let lists: [[DomainName]?] = [
            Array(names.prefix(3)), [names[3]], [names[11]], [], nil, [names[0], names[0], names[5], nowhere],
            names.reversed(),
        ]
        for list in lists { try Self.expectBatchesMatch(store, list, known: names) }
        // Domains without rows (d3 has no DKIM keys, d11 nothing) and unknown ones have no entry.
        #expect(try store.dkimKeys(domains: [names[3], names[11], nowhere]).isEmpty)
        #expect(try store.domainRows(domains: [nowhere]).isEmpty)
        #expect(try Set(store.signingStates(domains: [names[11], nowhere]).keys) == [names[11]])
        #expect(try Set(store.dkimKeys(domains: nil).keys) == Set([0, 1, 2, 4, 5, 6, 8, 9, 10, 12].map(Self.domain)))
        // Each domain's rows in the single-domain order: the store's key order, oldest first.
        #expect(try store.dkimKeys(domains: [names[0]])[names[0]]?.map(\.selector) == ["old", "sa", "sb"])
        #expect(try store.dnssecKeys(domains: nil)[names[0]]?.map(\.tag) == [1000, 10, 9])
        #expect(try store.tlsNextKeys(domains: nil)[names[5]]?.map(\.created) == [t0, at(2)])
        #expect(try store.tlsCertificates(domains: nil)[names[2]]?.map(\.imported) == [t0, at(5)])
    }

    /// More domains than one statement takes (two chunks; a name listed twice is read once), and
    /// more than a chunked read is worth (one pass over every row, filtered). Every domain at once
    /// is the same pass, unfiltered (see the test above).
    @Test func batchesMatchInChunksAndInOnePass() throws {
        let (store, names) = try Self.populated(DomainQuery.scanAbove + 50)
        let chunks = Array(names.prefix(DomainQuery.chunkSize + 1)) + [names[0]]
        try Self.expectBatchesMatch(store, chunks, known: names)
        try Self.expectBatchesMatch(store, Array(names.suffix(DomainQuery.scanAbove + 1)), known: names)
        #expect(try store.domainRows(domains: chunks).count == DomainQuery.chunkSize + 1)
    }

    @Test func batchesSeeTheTransactionTheyRunIn() throws {
        let store = try store(with: ["example.org"])
        let org = try name("example.org")
        let keys = try store.transaction { tx in
            try tx.insertDKIM(KeyTests.dkim("s1"), domain: org)
            return try tx.dkimKeys(domains: [org])
        }
        #expect(keys == [org: [KeyTests.dkim("s1")]])
    }

    @Test func aDamagedNameFailsTheEveryDomainRead() throws {
        let store = try store()
        let bad = CorruptionTests.badName
        try writeRaw(store, "INSERT INTO domain (name, added_at) VALUES (?, 0)", [bad])
        try writeRaw(
            store,
            """
            INSERT INTO key (domain, kind, name, algorithm, public_key, created_at)
            VALUES (?, 'dkim', 's', 'rsa', 'k', 0)
            """,
            [bad]
        )
        expectStoreError(.corrupt, "key.domain", bad) { try store.dkimKeys(domains: nil) }
        expectStoreError(.corrupt, "domain.name", bad) { try store.domainRows(domains: nil) }
        #expect(try store.dkimKeys(domains: [try name("example.org")]).isEmpty)
    }
}
