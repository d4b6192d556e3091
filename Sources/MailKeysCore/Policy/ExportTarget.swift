/// Where a zone is exported: an authoritative server's zone directory, its reload command, the
/// address to confirm the new serial on, and secondaries to NOTIFY (`[[domains."x".export]]`).
public struct ExportTarget: Sendable, Equatable, CustomStringConvertible {
    public enum Server: String, Sendable { case nsd, knot, bind }

    public var server: Server
    /// The directory the server reads `<zone>.zone` from (absolute).
    public var directory: String
    /// The reload command, argv without a shell; `%z` is replaced by the zone name. Defaults:
    /// `nsd-control reload %z`, `knotc -b zone-reload %z` (blocking, so a failed load fails),
    /// `rndc reload %z`.
    public var reload: [String]
    /// Where the server answers, to confirm the new SOA serial (and DNSKEY when signed).
    public var address: ServerAddress
    /// Secondaries to send a NOTIFY to once the new serial is confirmed.
    public var notify: [ServerAddress]
    /// The command that makes the server drop a zone being removed (argv, `%z` the zone; e.g.
    /// `nsd-control delzone %z`, `rndc delzone %z`); empty: the operator takes the zone out of
    /// the server's configuration, and mailkeys waits until the server no longer serves it.
    public var remove: [String]

    /// A stable name for the store: `server:directory`.
    public var description: String { "\(server.rawValue):\(directory)" }

    public static func defaultReload(_ server: Server) -> [String] {
        switch server {
        case .nsd: return ["nsd-control", "reload", "%z"]
        case .knot: return ["knotc", "-b", "zone-reload", "%z"]
        case .bind: return ["rndc", "reload", "%z"]
        }
    }

    /// The reload argv for `zone`.
    public func reloadCommand(zone: DomainName) -> [String] {
        reload.map { $0.replacingOccurrences(of: "%z", with: zone.description) }
    }

    /// The argv that drops `zone` from the server (empty: none configured).
    public func removeCommand(zone: DomainName) -> [String] {
        remove.map { $0.replacingOccurrences(of: "%z", with: zone.description) }
    }

    public init(table t: PolicyTable) throws {
        let serverText = try t.string("server") ?? ""
        guard let server = Server(rawValue: serverText) else {
            throw CoreError(.invalidPolicy, "\(t.path).server: \(Quote.short(serverText)) is not nsd, knot or bind")
        }
        self.server = server
        guard let dir = try t.string("directory"), dir.hasPrefix("/") else {
            throw CoreError(
                .invalidPolicy,
                "\(t.path).directory: the server's zone directory, an absolute path, is required"
            )
        }
        directory = dir
        reload = try t.strings("reload") ?? Self.defaultReload(server)
        guard !reload.isEmpty else { throw CoreError(.invalidPolicy, "\(t.path).reload: an empty command") }
        remove = try t.strings("remove") ?? []
        do {
            address = try ServerAddress(try t.string("address") ?? "127.0.0.1")
            notify = try (t.strings("notify") ?? []).map { try ServerAddress($0) }
        } catch let e as CoreError {
            throw CoreError(.invalidPolicy, "\(t.path): \(e.reason)")
        }
        try t.finish()
    }
}
