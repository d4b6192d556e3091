import GRDB
import MailKeysCore

/// A row of `policy_file`: one per `domains/*.toml` a run parsed.
struct PolicyFileRecord: StoreRecord {
    static let databaseTableName = "policy_file"

    static let createTable = """
        CREATE TABLE policy_file (
            stem TEXT PRIMARY KEY,
            marker TEXT NOT NULL,
            base TEXT NOT NULL,
            domain TEXT NOT NULL,
            digest TEXT NOT NULL,
            report_targets TEXT NOT NULL,
            mx_hosts TEXT NOT NULL,
            dkim_enabled INTEGER NOT NULL CHECK (dkim_enabled IN (0, 1)),
            dkim_group TEXT
        ) STRICT, WITHOUT ROWID;
        """

    var stem: String
    var marker: String
    var base: String
    var domain: String
    var digest: String
    var reportTargets: String
    var mxHosts: String
    var dkimEnabled: Int64
    var dkimGroup: String?

    enum CodingKeys: String, CodingKey {
        case stem, marker, base, domain, digest
        case reportTargets = "report_targets"
        case mxHosts = "mx_hosts"
        case dkimEnabled = "dkim_enabled"
        case dkimGroup = "dkim_group"
    }

    enum Columns {
        static let stem = Column(CodingKeys.stem)
    }

    /// Read by column name without the `Decodable` machinery: every run reads one row per
    /// domain file.
    init(row: Row) throws {
        stem = try row.decode(forColumn: "stem")
        marker = try row.decode(forColumn: "marker")
        base = try row.decode(forColumn: "base")
        domain = try row.decode(forColumn: "domain")
        digest = try row.decode(forColumn: "digest")
        reportTargets = try row.decode(forColumn: "report_targets")
        mxHosts = try row.decode(forColumn: "mx_hosts")
        dkimEnabled = try row.decode(forColumn: "dkim_enabled")
        dkimGroup = try row.decode(forColumn: "dkim_group")
    }

    init(_ f: PolicyFileFacts) {
        stem = f.stem
        marker = f.marker
        base = f.base
        domain = StoredName.text(f.domain)
        digest = f.digest
        reportTargets = f.reportTargets.map(StoredName.text).joined(separator: " ")
        mxHosts = f.mxHosts.map(StoredName.text).joined(separator: " ")
        dkimEnabled = f.dkimEnabled ? 1 : 0
        dkimGroup = f.dkimGroup
    }

    func facts() throws -> PolicyFileFacts {
        func names(_ text: String, _ column: String) throws -> [DomainName] {
            try text.split(separator: " ").map {
                try StoredName.parse(String($0), table: Self.databaseTableName, column: column)
            }
        }
        return PolicyFileFacts(
            stem: stem,
            marker: marker,
            base: base,
            domain: try StoredName.parse(domain, table: Self.databaseTableName, column: "domain"),
            digest: digest,
            reportTargets: try names(reportTargets, "report_targets"),
            mxHosts: try names(mxHosts, "mx_hosts"),
            dkimEnabled: dkimEnabled != 0,
            dkimGroup: dkimGroup
        )
    }
}
