import Foundation
import MailKeysCore
import MailKeysStore

extension MailKeys {
    /// `domain add`: appends a new domain's commented tables to the policy (as `init` writes
    /// them), or writes `domains/<domain>.toml` when the home keeps its domains there. Refused for
    /// a domain the policy already lists or the store still holds (taken out of the policy without
    /// `domain remove`); the new policy text is parsed before it is written. Nothing else
    /// changes: the next `tick` makes the keys and the zone.
    public static func addDomain(
        _ home: Home,
        domain: String,
        mx: [String],
        ns: [String],
        rua: String?,
        lockWait: Double
    ) throws -> Report {
        let session = try Session(home, lockWait: lockWait, readPolicy: false)
        defer { withExtendedLifetime(session) {} }
        let store = try session.store()
        let (name, section, warnings) = try newDomain(domain, mx: mx, ns: ns, rua: rua, header: false)
        let index = try PolicyIndex.load(home, store: store)
        guard !index.names.contains(name) else { throw HomeError(.usage, "\(name) is already in the policy") }
        guard try !store.holds(name) else {
            throw HomeError(
                .usage,
                "the store still holds \(name): it was taken out of the policy without `mailkeys domain remove`; "
                    + "put its section back (README: Removing a domain)"
            )
        }
        var report = Report()
        report.warnings = warnings + (try PolicyFile.parse(PolicyFile.header + section)).domains.flatMap(\.warnings)
        let target: URL
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: home.domainsDir.path, isDirectory: &isDir), isDir.boolValue {
            target = home.domainPolicyFile(name)
            guard !FileManager.default.fileExists(atPath: target.path) else {
                throw HomeError(.exists, "\(home.show(target)) already exists")
            }
            try AtomicFile.write(PolicyFile.domainFile(section, domain: name), to: target)
        } else {
            target = home.policyFile
            guard let text = try AtomicFile.read(target) else {
                throw HomeError(.missing, "\(home.show(target)) is missing; run `mailkeys init` to create a home")
            }
            let joined = (text.hasSuffix("\n") || text.isEmpty ? text : text + "\n") + "\n" + section
            _ = try PolicyFile.parse(joined)
            try AtomicFile.write(joined, to: target)
        }
        if let last = try store.removedDomains().first(where: { $0.name == name.description }) {
            report.lines.append(
                "\(name) was removed on \(RunClock.format(last.at)) (archive \(last.archive)): it starts afresh, with new keys"
            )
        }
        report.lines.append(
            "added \(name) to \(home.show(target)): review its commented tables, then run `mailkeys tick` "
                + "(it makes the keys and the zone; a signed zone's DS is then printed by `mailkeys ds \(name)`)"
        )
        return report
    }
}
