import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// A certbot lineage (`DIR/live/NAME` with its `DIR/archive/NAME` and `DIR/renewal/NAME.conf`).
struct CertbotLineage {
    let live: URL
    init(_ live: URL) { self.live = live }

    var name: String { live.lastPathComponent }
    var archive: URL {
        live.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "archive/\(name)",
            isDirectory: true
        )
    }
    var renewalConf: URL {
        live.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "renewal/\(name).conf",
            isDirectory: false
        )
    }

    var reusesKey: Bool {
        ((try? AtomicFile.read(renewalConf)) ?? nil)?.split(separator: "\n").contains {
            $0.replacingOccurrences(of: " ", with: "") == "reuse_key=True"
        } ?? false
    }

    /// The highest version number among the archive's files.
    func lastVersion() throws -> Int {
        let names = try FileManager.default.contentsOfDirectory(atPath: archive.path)
        return names.compactMap { n -> Int? in
            for prefix in ["cert", "chain", "fullchain", "privkey"] where n.hasPrefix(prefix) && n.hasSuffix(".pem") {
                return Int(n.dropFirst(prefix.count).dropLast(4))
            }
            return nil
        }.max() ?? 0
    }

    /// Points `live/privkey.pem` at `archive/privkey<target>.pem` by renaming a new symlink over it.
    func link(_ target: String) throws {
        let link = live.appendingPathComponent("privkey.pem", isDirectory: false)
        let temp = live.appendingPathComponent(".privkey.pem.mailkeys", isDirectory: false)
        try? FileManager.default.removeItem(at: temp)
        guard symlink("../../archive/\(name)/\(target)", temp.path) == 0, rename(temp.path, link.path) == 0 else {
            throw HomeError(.io, "cannot switch \(link.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Makes `pem` the lineage's current key (unless it already is).
    func useKey(_ pem: String, spki: String) throws -> String {
        let current = try AtomicFile.read(live.appendingPathComponent("privkey.pem", isDirectory: false)).map {
            try Certificates.privateKeySPKI(pem: $0, name: "key")
        }
        if current == spki { return "\(live.path): already uses next key \(spki.prefix(16))" }
        let file = "privkey\(try lastVersion() + 1).pem"
        try AtomicFile.write(pem, to: archive.appendingPathComponent(file, isDirectory: false), mode: 0o600)
        try link(file)
        return "\(live.path): next key \(spki.prefix(16)) staged as \(file) for the renewal"
    }

    /// If `privkey.pem` does not belong to `cert.pem`, points it back at the archive key that does.
    func restoreMatchingKey() throws -> String? {
        guard let cert = try AtomicFile.read(live.appendingPathComponent("cert.pem", isDirectory: false)),
            let certSPKI = try? Certificates.read(pem: cert, name: "cert").first?.spki
        else { return nil }
        let key = try AtomicFile.read(live.appendingPathComponent("privkey.pem", isDirectory: false))
        if let key, (try? Certificates.privateKeySPKI(pem: key, name: "key")) == certSPKI { return nil }
        for n in try FileManager.default.contentsOfDirectory(atPath: archive.path).sorted().reversed()
        where n.hasPrefix("privkey") {
            guard let text = try AtomicFile.read(archive.appendingPathComponent(n, isDirectory: false)),
                (try? Certificates.privateKeySPKI(pem: text, name: n)) == certSPKI
            else { continue }
            try link(n)
            return "\(live.path): not renewed, privkey.pem points back at \(n) (the key of cert.pem)"
        }
        throw HomeError(.verify, "\(live.path): no key in \(archive.path) belongs to cert.pem")
    }
}
