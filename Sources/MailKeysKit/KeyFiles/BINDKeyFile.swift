import Foundation
import MailKeysCore
import MailKeysDNS

/// A DNSSEC key as BIND keeps it (`dnssec-keygen`): `K<zone>.+<alg>+<tag>.key` holds the DNSKEY
/// record, `.private` the key material and the timing metadata (`Created:`, `Publish:`,
/// `Activate:`, `Inactive:`, `Delete:`, UTC `YYYYMMDDHHMMSS`). Read for `mailkeys import`.
struct BINDKeyFile {
    /// The `.key` path as given (for messages).
    let source: String
    let flags: UInt16
    let algorithm: Int
    let tag: UInt16
    /// The DNSKEY record as mailkeys writes it (with the policy's TTL applied later).
    let dnskey: String
    /// The `.private` text without BIND's timing lines (the store keeps the times).
    let privateText: String
    let created: Date?
    let published: Date
    let active: Date

    /// Reads `path` (the `.key` file, its `.private` or their common stem) for `zone`: the key
    /// must load, match its DNSKEY and file name, and be in use at `now` (published and active,
    /// neither inactive nor deleted).
    static func read(_ path: String, zone: DomainName, ttl: UInt32, now: Date) throws -> BINDKeyFile {
        var stem = path
        for ext in [".key", ".private"] where stem.hasSuffix(ext) { stem = String(stem.dropLast(ext.count)) }
        let shown = stem + ".key"
        guard let keyText = try? String(contentsOfFile: stem + ".key", encoding: .utf8) else {
            throw HomeError(.missing, "cannot read \(stem).key")
        }
        guard let privateText = try? String(contentsOfFile: stem + ".private", encoding: .utf8) else {
            throw HomeError(.missing, "cannot read \(stem).private (it must be next to \(shown))")
        }
        let record = try dnskeyRecord(keyText, zone: zone, file: shown)
        let timing = Self.timing(privateText)
        let material = privateText.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            let key = line.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            return !Self.timingKeys.contains(key)
        }.joined(separator: "\n")
        let inspected: (tag: UInt16, dnskey: String)
        do {
            inspected = try DNSSECKeys.inspect(
                DNSSECKeys.Key(privateText: material, flags: record.flags),
                zone: zone,
                ttl: ttl
            )
        } catch let e as DNSError {
            throw HomeError(.usage, "\(stem).private: \(e.reason)")
        }
        guard Self.rdata(inspected.dnskey) == record.rdata else {
            throw HomeError(.usage, "\(stem).private does not hold the key of \(shown)")
        }
        let name = URL(fileURLWithPath: stem).lastPathComponent
        guard name.hasSuffix(String(format: "+%05d", Int(inspected.tag))) else {
            throw HomeError(.usage, "\(shown): its key tag is \(inspected.tag), not the one in its name")
        }
        let published = timing["Publish"] ?? timing["Created"] ?? now
        let active = max(timing["Activate"] ?? published, published)
        guard published <= now, active <= now else {
            throw HomeError(
                .usage,
                "\(shown) is not in use yet (Publish/Activate after \(RunClock.format(now))): import only the keys the zone is signed with now"
            )
        }
        for k in ["Inactive", "Delete"] {
            if let t = timing[k], t <= now {
                throw HomeError(
                    .usage,
                    "\(shown) is retired (\(k): \(RunClock.format(t))): import only the keys the zone is signed with now"
                )
            }
        }
        return BINDKeyFile(
            source: shown,
            flags: record.flags,
            algorithm: record.algorithm,
            tag: inspected.tag,
            dnskey: inspected.dnskey,
            privateText: material.hasSuffix("\n") ? material : material + "\n",
            created: timing["Created"],
            published: published,
            active: active
        )
    }

    /// The key as the store records it, with the policy's DNSKEY TTL.
    func key(_ p: DomainPolicy, now: Date) -> DNSSECKey {
        let role: DNSSECKey.Role = flags == 256 ? .zsk : p.dnssec.scheme == .csk ? .csk : .ksk
        return DNSSECKey(
            tag: tag,
            role: role,
            algorithm: algorithm,
            dnskey: dnskey,
            created: min(created ?? published, published),
            published: published,
            active: active
        )
    }

    static let timingKeys: Set<String> = [
        "Created", "Publish", "Activate", "Inactive", "Delete", "Revoke", "SyncPublish", "SyncDelete", "DSPublish",
        "DSRemoved", "PublishCDS", "DeleteCDS",
    ]

    /// BIND's timing lines of a `.private` file.
    static func timing(_ text: String) -> [String: Date] {
        var out: [String: Date] = [:]
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMddHHmmss"
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, timingKeys.contains(parts[0]),
                let d = f.date(from: String(parts[1].prefix(14)))
            else { continue }
            out[parts[0]] = d
        }
        return out
    }

    /// A DNSKEY's RDATA with the key's base64 in one piece (BIND may split it), from a record line.
    static func rdata(_ line: String) -> String {
        let f = line.prefix { $0 != ";" }.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let i = f.firstIndex(where: { $0.uppercased() == "DNSKEY" }), f.count >= i + 5 else { return line }
        return f[(i + 1)...(i + 3)].joined(separator: " ") + " " + f[(i + 4)...].joined()
    }

    /// The DNSKEY record of a `.key` file (comments skipped): its flags, algorithm and RDATA.
    private static func dnskeyRecord(_ text: String, zone: DomainName, file: String) throws -> (
        flags: UInt16, algorithm: Int, rdata: String
    ) {
        for line in text.split(separator: "\n") {
            let content = line.prefix { $0 != ";" }
            let f = content.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let i = f.firstIndex(where: { $0.uppercased() == "DNSKEY" }), f.count >= i + 5 else { continue }
            guard (try? DomainName(f[0])) == zone else {
                throw HomeError(.usage, "\(file) is a key of \(f[0]), not of \(zone)")
            }
            guard let flags = UInt16(f[i + 1]), flags == 256 || flags == 257, let algorithm = Int(f[i + 3]) else {
                throw HomeError(.usage, "\(file): flags \(f[i + 1]) are not 256 (ZSK) or 257 (KSK/CSK)")
            }
            return (flags, algorithm, rdata(f[i...].joined(separator: " ")))
        }
        throw HomeError(.usage, "\(file) holds no DNSKEY record")
    }
}
