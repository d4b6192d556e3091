import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// Whether a run may leave the DKIM signers' tables as they are: it may when what they are
/// made from besides the keys is unchanged (``inputs(_:digest:domains:)``), the files are as
/// the last write left them (``markers(_:signers:)``), and every domain the run worked on has
/// the same keys that sign as when they were written (``entries(_:group:)``). A domain the run
/// left alone has the keys it had at its last run, so a renewal of one host in a home of
/// thousands of domains reads and writes no table. The state is a cache kept in the store
/// (``SignerTablesState``): whatever differs, the tables are written in full.
enum SignerTables {
    /// Hash of the signer settings and every other non-domain table, the home's path (in every
    /// key path), the program, and the domains that sign with their groups.
    static func inputs(_ home: Home, digest: PolicyDigest, domains: [SignerDomain]) -> String {
        var text = [digest.global, home.root.path, FileMarker.program].joined(separator: "\n")
        for d in domains {
            text += "\n\(d.name) \(d.group ?? "-")"
        }
        return Digest.sha256Hex(text)
    }

    /// The tables' files and each signer's reload marker as `stat` sees them.
    static func markers(_ home: Home, signers: SignerPolicy) -> String {
        files(home, signers: signers).flatMap { set in
            set.paths.map { FileMarker.of($0.path) } + [FileMarker.of(set.reloadMarker.path)]
        }.joined(separator: " ")
    }

    /// Hash of a domain's keys that may sign, as the tables list them.
    static func entries(_ keys: [DKIMKey], group: String?) -> String {
        let lines = keys.filter(\.signing).map { "\($0.selector) \($0.algorithm.rawValue)" }
        return Digest.sha256Hex(([group ?? "-"] + lines).joined(separator: "\n"))
    }

    /// Every signer's table files (in the order it writes them) and its reload marker.
    static func files(_ home: Home, signers: SignerPolicy) -> [(signer: String, paths: [URL], reloadMarker: URL)] {
        var out: [(String, [URL], URL)] = []
        if signers.opendkim {
            let paths = [signers.keyTable, signers.signingTable, signers.ed25519KeyTable, signers.ed25519SigningTable]
                .map { resolve(home, $0) }
            out.append(("opendkim", paths, reloadMarker(paths[0], signer: "opendkim")))
        }
        if signers.rspamd {
            let path = resolve(home, signers.rspamdMap)
            out.append(("rspamd", [path], reloadMarker(path, signer: "rspamd")))
        }
        return out
    }

    /// A table's path from the policy: absolute, or under the home.
    static func resolve(_ home: Home, _ path: String) -> URL {
        path.hasPrefix("/")
            ? URL(fileURLWithPath: path, isDirectory: false)
            : home.root.appendingPathComponent(path, isDirectory: false)
    }

    /// The file whose presence says a signer's reload failed and is to be retried.
    static func reloadMarker(_ firstTable: URL, signer: String) -> URL {
        firstTable.deletingLastPathComponent().appendingPathComponent(".\(signer)-reload-pending", isDirectory: false)
    }
}
