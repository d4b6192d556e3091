import GRDB
import MailKeysCore

extension ExportRecord {
    /// The last export of a domain to each target.
    static let query = DomainQuery(table: databaseTableName)

    /// The export states `records` (of one domain) hold, by target name.
    static func states(_ records: [Self], of _: DomainName) throws -> [String: ExportState] {
        var out: [String: ExportState] = [:]
        for r in records { out[r.target] = try r.exportState() }
        return out
    }
}

extension Store {
    /// The last export of `domain` to each target, by target name.
    public func exports(domain: DomainName) throws -> [String: ExportState] {
        try reading { tx in try tx.exports(domain: domain) }
    }

    /// The last export of each of `domains` (nil: every domain) to each target, by target name:
    /// what ``exports(domain:)`` returns for each, in a few queries. A domain never exported has
    /// no entry.
    public func exports(domains: [DomainName]?) throws -> [DomainName: [String: ExportState]] {
        try reading { tx in try tx.exports(domains: domains) }
    }

    /// Records the outcome of an export attempt; a failed one keeps the last confirmed export
    /// the row holds.
    public func recordExport(domain: DomainName, target: String, state: ExportState) throws {
        typealias C = ExportRecord.Columns
        let kept: [Column] = state.confirmed != nil ? [C.confirmedSerial, C.confirmedSerialAt] : []
        try transaction { tx in
            try ExportRecord(state, domain: domain, target: target).insertOrUpdate(
                tx.db,
                conflictingOn: [C.domain, C.target],
                updating: [C.serial, C.fileHash, C.attemptedAt, C.confirmedAt, C.error] + kept
            )
        }
    }
}

extension StoreTransaction {
    /// The last export of `domain` to each target, by target name.
    public func exports(domain: DomainName) throws -> [String: ExportState] {
        try ExportRecord.states(records(ExportRecord.query, of: domain), of: domain)
    }

    /// The last export of each of `domains` (nil: every domain) to each target, by target name. A
    /// domain never exported has no entry.
    public func exports(domains: [DomainName]?) throws -> [DomainName: [String: ExportState]] {
        try records(ExportRecord.query, of: domains, ExportRecord.states)
    }
}
