import Foundation
import MailKeysCore
import MailKeysStore

/// The last step of a removal: a domain off every nameserver and out of the policy is archived
/// under `Keys/archive/<domain>-<time>/` (0700): its DKIM and DNSSEC private keys, its zone
/// files and template, and its store rows as JSON (`store-rows.json`, 0600); then the store
/// forgets it (``StoreTransaction/archiveDomain(_:archive:at:)``) and records where the archive
/// is. Nothing is deleted: the moves are steps of the run's intent, so a run that dies halfway
/// is completed by the next.
enum DomainArchive {
    /// Stages the archive of each of `names` into the run's commit; the lines say where each goes.
    static func stage(_ names: [DomainName], home: Home, store: Store, now: Date, pending: Pending) throws -> [String] {
        var lines: [String] = []
        for name in names {
            let dir = archiveDir(home, name, now: now)
            let dump = try store.domainDump(name)
            pending.stagings.append { j in
                try j.stage(dump, to: dir.appendingPathComponent("store-rows.json"), mode: 0o600)
            }
            for (source, target) in try moves(home, name, keys: store.dnssecKeys(domain: name), into: dir) {
                pending.journal.move(source, to: target)
            }
            let archive = home.show(dir)
            pending.storeOps.append { tx in try tx.archiveDomain(name, archive: archive, at: now) }
            lines.append(
                "\(name): removed: its keys, zone files and store rows are archived in \(archive) "
                    + "(nothing was deleted; the archive is yours to keep or delete)"
            )
        }
        return lines
    }

    /// `Keys/archive/<domain>-<YYYYMMDDTHHMMSSZ>/`.
    static func archiveDir(_ home: Home, _ name: DomainName, now: Date) -> URL {
        let stamp = RunClock.format(now).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        return home.keysDir.appendingPathComponent("archive", isDirectory: true)
            .appendingPathComponent("\(name)-\(stamp)", isDirectory: true)
    }

    /// The domain's files that exist, each with where it goes in the archive.
    private static func moves(_ home: Home, _ name: DomainName, keys: [DNSSECKey], into dir: URL) -> [(URL, URL)] {
        var out: [(URL, URL)] = []
        func add(_ source: URL, _ sub: String) {
            guard FileManager.default.fileExists(atPath: source.path) else { return }
            out.append((source, dir.appendingPathComponent(sub).appendingPathComponent(source.lastPathComponent)))
        }
        add(DKIMKeyFiles.dir(home, name), "dkim")
        for k in keys {
            let stem = k.fileStem(zone: name)
            for ext in [".key", ".private"] {
                add(DNSSECKeyFiles.dir(home).appendingPathComponent(stem + ext, isDirectory: false), "dnssec")
            }
        }
        for file in [
            home.zoneFile(name), home.signedFile(name), home.mtaSTSFile(name), home.template(name),
            ZoneMap.url(home, name),
        ] {
            add(file, "zones")
        }
        return out
    }
}
