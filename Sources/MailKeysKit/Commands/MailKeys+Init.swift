import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension MailKeys {
    /// Parsed `--mx HOST=IP[,IP...]` or `--ns HOST[=IP,...]`.
    public static func parseHostSpec(_ spec: String, option: String) throws -> (DomainName, [IPAddress]) {
        let parts = spec.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let host: DomainName
        do { host = try DomainName(String(parts[0])) } catch let e as CoreError {
            throw CoreError(e.code, "\(option) \(Quote.context(spec)): \(e.reason)")
        }
        guard parts.count == 2 else { return (host, []) }
        let addresses = try parts[1].split(separator: ",", omittingEmptySubsequences: false).map { a -> IPAddress in
            do { return try IPAddress(String(a).trimmingCharacters(in: .whitespaces)) } catch let e as CoreError {
                throw CoreError(e.code, "\(option) \(Quote.context(spec)): \(e.reason)")
            }
        }
        return (host, addresses)
    }

    /// Creates a home: `Keys/` (0700) with a new store, `Zones/`, and a commented policy for
    /// `domain`. Refuses a home that already has a policy or a store; validates the whole policy
    /// before anything is written, and removes what it wrote if a later step fails.
    public static func initHome(
        _ home: Home,
        domain: String,
        mx: [String],
        ns: [String],
        rua: String?,
        now: Date,
        simulate: Bool = false
    ) throws -> Report {
        let (name, text, warnings) = try newDomain(domain, mx: mx, ns: ns, rua: rua, header: true)
        let policy = try PolicyFile.parse(text)
        try create(home, policyText: text, policy: policy, domain: name, now: now, simulate: simulate)
        var report = Report()
        report.warnings = warnings + policy.domains.flatMap(\.warnings)
        report.lines.append(
            "created \(home.root.path): policy \(home.show(home.policyFile)), store \(home.show(home.storeFile))"
        )
        report.lines.append("next: edit \(home.show(home.policyFile)) if needed, then run 'mailkeys tick'")
        return report
    }

    /// A new domain's policy text (`init`, `domain add`): its commented tables, after the policy's
    /// opening comments when `header`; the warnings say what was assumed.
    static func newDomain(_ domain: String, mx: [String], ns: [String], rua: String?, header: Bool) throws -> (
        DomainName, String, [String]
    ) {
        let name = try DomainName(domain)
        guard name.labels.count >= 2 else {
            throw CoreError(.invalidName, "domain '\(domain)': a mail domain needs at least two labels")
        }
        guard !mx.isEmpty else { throw HomeError(.usage, "at least one --mx HOST=IP is needed") }
        let mxHosts = try mx.map { try parseHostSpec($0, option: "--mx") }
        var nsHosts = try ns.map { try parseHostSpec($0, option: "--ns") }
        for (option, hosts) in [("--mx", mxHosts), ("--ns", nsHosts)] {
            for (host, addresses) in hosts where host.isSubdomain(of: name) && addresses.isEmpty {
                throw CoreError(
                    .invalidPolicy,
                    "\(option) '\(host)': \(host) lies inside \(name), so its addresses are needed (\(option) HOST=IP[,IP...])"
                )
            }
        }
        var warnings: [String] = []
        if nsHosts.isEmpty {
            let ns1 = try name.prepending("ns1")
            let first = mxHosts[0]
            guard first.0.isSubdomain(of: name), !first.1.isEmpty else {
                throw HomeError(
                    .usage,
                    "give --ns HOST[=IP,...]: the first MX host is outside \(name), so it cannot serve as ns1.\(name)"
                )
            }
            nsHosts = [(ns1, first.1)]
            warnings.append(
                "no --ns given: ns1.\(name) will point at the first MX host's addresses; add a second nameserver"
            )
        }
        let ruaText = rua ?? "mailto:dmarc@\(name)"
        try ReportURI.check(ruaText)
        let section = PolicyFile.section(domain: name, mx: mxHosts, ns: nsHosts, rua: ruaText)
        return (name, header ? PolicyFile.header + section : section, warnings)
    }

    /// Writes the home: its directories, the policy, a new store (0600) with the domains. Refuses
    /// a home that has a policy or a store; removes what it wrote if a later step fails.
    private static func create(
        _ home: Home,
        policyText text: String,
        policy: Policy,
        domain name: DomainName,
        now: Date,
        simulate: Bool
    ) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: home.policyFile.path) {
            throw HomeError(.exists, "\(home.policyFile.path) already exists; init never overwrites a home")
        }
        if fm.fileExists(atPath: home.storeFile.path) {
            throw HomeError(.exists, "\(home.storeFile.path) already exists; init never overwrites a home")
        }
        var created: [URL] = []
        do {
            for (dir, mode) in [(home.root, 0o755), (home.keysDir, 0o700), (home.zonesDir, 0o755)] {
                if !fm.fileExists(atPath: dir.path) {
                    try fm.createDirectory(at: dir, withIntermediateDirectories: true)
                    created.append(dir)
                }
                chmod(dir.path, mode_t(mode))
            }
            try AtomicFile.write(text, to: home.policyFile)
            created.append(home.policyFile)
            let store = try Store.create(at: home.storeFile.path)
            created.append(home.storeFile)
            chmod(home.storeFile.path, 0o600)
            try store.transaction { tx in
                for d in policy.domains { try tx.ensureDomain(d.name, at: now) }
                try tx.log(
                    "init",
                    domain: name,
                    detail: simulate ? "home created, a simulation" : "home created",
                    at: now
                )
                if simulate { try tx.markSimulation(at: Date()) }
            }
        } catch {
            for url in created.reversed() {
                try? fm.removeItem(at: url)
                for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: url.path + suffix) }
            }
            throw error
        }
    }
}
