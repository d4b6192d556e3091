import Foundation
import MailKeysCore
import MailKeysDNS

/// The checks a zone passes before it is staged: its text re-read by libldns, and every DNSKEY
/// its signed form publishes backed by a store row and a private key file.
enum ZoneChecks {
    /// Re-reads rendered zone text through libldns and compares it with the model, so a file
    /// that a nameserver would reject is never written.
    static func verify(_ text: String, _ zone: Zone, name: String) throws {
        let parsed: [TemplateRecord]
        do {
            parsed = try LDNSZoneReader.read(text: text, origin: zone.origin, defaultTTL: zone.defaultTTL, name: name)
        } catch let e as DNSError {
            throw HomeError(
                .verify,
                "internal error: the rendered zone does not parse (\(e.reason)); nothing was written"
            )
        }
        guard parsed.count == zone.records.count + 1, parsed.first?.type == .soa else {
            throw HomeError(
                .verify,
                "internal error: the rendered zone has \(parsed.count) records, expected \(zone.records.count + 1); nothing was written"
            )
        }
    }
    /// Every DNSKEY the staged signed file publishes (read from its bytes, not from what the run
    /// meant to write) must be a live key of the store (or of this run) whose private key file
    /// exists (or is staged now): a key published without its private half can never sign, and
    /// a key without its row is one mailkeys cannot roll.
    static func publishedKeys(
        _ home: Home,
        _ name: DomainName,
        signed path: String,
        keys: [DNSSECKey],
        pending: Pending
    ) throws {
        // The apex comes first in a signed file; its lines are in the first MiB.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw HomeError(.io, "internal error: \(name): the staged signed zone is gone; nothing was written")
        }
        defer { try? handle.close() }
        let bytes = [UInt8](handle.readData(ofLength: 1 << 20))
        let apex = Array((name.fqdn + "\t").utf8)
        var tags: [UInt16] = []
        for line in bytes.split(separator: 0x0A) where line.starts(with: apex) {
            let fields = line.split(separator: 0x09, maxSplits: 4)
            guard fields.count == 5, fields[3].elementsEqual("DNSKEY".utf8) else { continue }
            guard let tag = DNSSECWire.keyTag(dnskeyRDATA: String(decoding: fields[4], as: UTF8.self)) else {
                throw HomeError(
                    .verify,
                    "internal error: \(name): the signed zone holds a DNSKEY that does not parse; nothing was written"
                )
            }
            tags.append(tag)
        }
        guard !tags.isEmpty else {
            throw HomeError(
                .verify,
                "internal error: \(name): the signed zone publishes no DNSKEY; nothing was written"
            )
        }
        for tag in tags {
            guard let key = keys.first(where: { $0.tag == tag && $0.state != .removed }) else {
                throw HomeError(
                    .verify,
                    "\(name): the signed zone would publish DNSKEY \(tag), which the store does not hold; nothing was written"
                )
            }
            let file = DNSSECKeyFiles.privateFile(home, name, key)
            guard pending.privateTexts[file] != nil || FileManager.default.fileExists(atPath: file.path) else {
                throw HomeError(
                    .missing,
                    "\(name): DNSKEY \(tag) (\(key.role.rawValue)) is published but its private key file \(home.show(file)) is missing; restore it from a backup (nothing was written)"
                )
            }
        }
    }

}
