import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// The policy as a run that advances reads it when domains live in `domains/<domain>.toml`:
/// `mailkeys.toml` whole; of the domain files only those that changed since a run last parsed
/// and validated them (their `stat` marker, or what they are merged with, differs), the facts
/// of the others from the store (``PolicyFileFacts``: policy hash, report targets, MX hosts,
/// DKIM group); then, on demand, the files of the domains the run works on. An idle run over
/// thousands of domain files parses none of them.
struct PolicyIndex {
    let home: Home
    /// `mailkeys.toml` as parsed, and its inline domains with the files that changed.
    let document: [String: PolicyValue]
    let parsed: Policy
    /// Every domain, sorted, and the facts of each.
    let names: [DomainName]
    let facts: [DomainName: PolicyFileFacts]
    let digest: PolicyDigest
    private(set) var reportAuthorisations: ReportAuthorisations
    /// The rows a run records once it completes, and the stems gone from `domains/`.
    let changed: [PolicyFileFacts]
    let removed: [String]
    /// How many domains the home has (more than `names` for an index of a certificate's run).
    let total: Int
    /// The DKIM signers of all domains, by name, when the index holds only some of them.
    private let storedSigners: [DomainName: String?]?
    /// The file stem of each domain read from `domains/`.
    private let stems: [DomainName: String]

    /// The policy of one domain for a view of it (`status DOMAIN`) without looking at every
    /// domain file: `mailkeys.toml` whole (with its own domains), the domain's file, and the
    /// DMARC report authorisations other domain files need in its zone as the store recorded
    /// them when a run last parsed those files. Nil when the domain is not in `mailkeys.toml`
    /// or its own `domains/<domain>.toml` (the caller loads the whole index, which names the
    /// domains there are).
    static func one(_ home: Home, store: Store, name: DomainName) throws -> Policy? {
        let document = try readDocument(home)
        let stem = name.description
        let file = try PolicyFile.domainFile(home, stem)
        var inline = false
        if case .table(let t)? = document["domains"] {
            inline = t.keys.contains { (try? DomainName($0)) == name }
        }
        guard file != nil || inline else { return nil }
        if file != nil && inline { throw Policy.listedTwice([name]) }
        let parsed: Policy
        do {
            parsed = try Policy(document: document, files: file.map { [stem: $0.table] } ?? [:])
        } catch let e as CoreError {
            throw CoreError(
                e.code,
                PolicyFile.located(
                    e.reason,
                    policy: home.show(home.policyFile),
                    files: file.map { [stem: $0.name] } ?? [:]
                )
            )
        }
        var authorisations = parsed.reportAuthorisations
        let known = Set(parsed.domains.map(\.name))
        for row in try store.policyFiles(targeting: name) where !known.contains(row.domain) {
            authorisations.add(source: row.domain, targets: row.reportTargets)
        }
        return Policy(
            domains: parsed.domains.filter { $0.name == name },
            signers: parsed.signers,
            reportAuthorisations: authorisations
        )
    }

    /// `mailkeys.toml`, checked and parsed.
    private static func readDocument(_ home: Home) throws -> [String: PolicyValue] {
        let name = home.show(home.policyFile)
        guard let bytes = try InputFile.read(home.policyFile, limit: InputLimits.policyFileBytes, name: name) else {
            throw HomeError(.missing, "\(home.policyFile.path) is missing; run 'mailkeys init' first")
        }
        try PolicyText.check(bytes, name: name)
        return try PolicyFile.table(String(decoding: bytes, as: UTF8.self), name: name)
    }

    static func load(_ home: Home, store: Store) throws -> PolicyIndex {
        let document = try readDocument(home)
        let base = base(document)
        let cached = try store.policyFiles()
        var kept: [PolicyFileFacts] = []
        var reread: [String: (table: [String: PolicyValue], name: String, marker: String)] = [:]
        let dir = DirectoryHandle(home.domainsDir.path)
        for stem in try PolicyFile.domainStems(home) {
            let marker = dir.marker(stem + ".toml")
            if let row = cached[stem], row.marker == marker, row.base == base {
                kept.append(row)
            } else if let file = try PolicyFile.domainFile(home, stem) {
                reread[stem] = (file.table, file.name, marker)
            }
        }
        return try PolicyIndex(
            home: home,
            document: document,
            base: base,
            kept: kept,
            reread: reread,
            removed: Set(cached.keys).subtracting(kept.map(\.stem)).subtracting(reread.keys).sorted()
        )
    }

    /// The index of a certificate's run (`tls import`, the certbot hook, `rotate tls`), which
    /// works on the domains that name one of `hosts` as MX and no other: `mailkeys.toml` whole,
    /// and of `domains/` only the files the store lists as naming a host, read again whatever
    /// their marker (an edit that removed the host is seen; one that added it is the next
    /// tick's, as every other edit). The other domains are known as the last run that read
    /// them recorded: their DKIM signers, their count, the report authorisations in the zones
    /// of the domains named.
    static func certificate(_ hosts: Set<DomainName>, home: Home, store: Store) throws -> PolicyIndex {
        let document = try readDocument(home)
        var reread: [String: (table: [String: PolicyValue], name: String, marker: String)] = [:]
        let dir = DirectoryHandle(home.domainsDir.path)
        for row in try store.policyFiles(listing: hosts) {
            guard let file = try PolicyFile.domainFile(home, row.stem) else { continue }
            reread[row.stem] = (file.table, file.name, dir.marker(row.stem + ".toml"))
        }
        let stored = try store.policyFileSigners()
        var index = try PolicyIndex(
            home: home,
            document: document,
            base: base(document),
            kept: [],
            reread: reread,
            removed: [],
            partial: stored
        )
        try index.addAuthorisations(targeting: index.listing(hosts), store: store)
        return index
    }

    /// Adds the report authorisations that domains outside the index need in the zones of
    /// `targets`, as the store recorded them.
    private mutating func addAuthorisations(targeting targets: Set<DomainName>, store: Store) throws {
        var authorisations = reportAuthorisations
        for target in targets.sorted(by: { $0.description < $1.description }) {
            for row in try store.policyFiles(targeting: target) where facts[row.domain] == nil {
                authorisations.add(source: row.domain, targets: row.reportTargets)
            }
        }
        reportAuthorisations = authorisations
    }

    /// Hash of what every domain file is merged with and validated by: `mailkeys.toml` outside
    /// `[domains]`, `[defaults]`, the program.
    private static func base(_ document: [String: PolicyValue]) -> String {
        var defaults: [String: PolicyValue] = [:]
        if case .table(let t)? = document["defaults"] { defaults = t }
        return Digest.sha256Hex(
            [PolicyDigest.global(document), PolicyValue.table(defaults).canonical, FileMarker.program]
                .joined(separator: "\n")
        )
    }

    private init(
        home: Home,
        document: [String: PolicyValue],
        base: String,
        kept: [PolicyFileFacts],
        reread: [String: (table: [String: PolicyValue], name: String, marker: String)],
        removed: [String],
        partial: (signers: [DomainName: String?], files: Int)? = nil
    ) throws {
        let tables = reread.mapValues(\.table)
        do {
            parsed = try Policy(document: document, files: tables, allowEmpty: true)
            let fresh = try PolicyDigest(document: document, files: tables)
            var digests = fresh.domains
            for row in kept { digests[row.domain] = row.digest }
            digest = PolicyDigest(global: fresh.global, domains: digests)
        } catch let e as CoreError {
            throw CoreError(
                e.code,
                PolicyFile.located(e.reason, policy: home.show(home.policyFile), files: reread.mapValues(\.name))
            )
        }
        var facts: [DomainName: PolicyFileFacts] = [:]
        var stems: [DomainName: String] = [:]
        var changed: [PolicyFileFacts] = []
        let stemOf = Dictionary(
            reread.keys.compactMap { k in (try? DomainName(k)).map { ($0, k) } },
            uniquingKeysWith: { a, _ in a }
        )
        for p in parsed.domains {
            let stem = stemOf[p.name]
            let row = Self.facts(p, stem: stem ?? "", marker: stem.map { reread[$0]!.marker } ?? "", base: base, digest)
            facts[p.name] = row
            if let stem {
                stems[p.name] = stem
                changed.append(row)
            }
        }
        for row in kept {
            guard facts[row.domain] == nil else { throw Policy.listedTwice([row.domain]) }
            facts[row.domain] = row
            stems[row.domain] = row.stem
        }
        guard !facts.isEmpty || partial != nil else { throw Policy.noDomains() }
        var authorisations = ReportAuthorisations()
        for (name, row) in facts { authorisations.add(source: name, targets: row.reportTargets) }
        self.home = home
        self.document = document
        self.names = facts.keys.map { ($0.description, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        self.facts = facts
        self.reportAuthorisations = authorisations
        self.changed = changed
        self.removed = removed
        self.stems = stems
        storedSigners = partial?.signers
        // A partial index: the inline domains and the store's domain files (those read now among them).
        total = partial.map { p in p.files + facts.values.filter { $0.stem.isEmpty }.count } ?? facts.count
    }

    /// What the store keeps of a parsed domain.
    private static func facts(_ p: DomainPolicy, stem: String, marker: String, base: String, _ digest: PolicyDigest)
        -> PolicyFileFacts
    {
        PolicyFileFacts(
            stem: stem,
            marker: marker,
            base: base,
            domain: p.name,
            digest: digest.domains[p.name] ?? "",
            reportTargets: ReportAuthorisations.targets(of: p),
            mxHosts: p.mx.map(\.host),
            dkimEnabled: p.dkim.enabled,
            dkimGroup: p.dkim.group
        )
    }

    /// The policy of the domains `wanted` (reading the files not read yet), with every domain's
    /// report authorisations.
    func policy(_ wanted: Set<DomainName>) throws -> Policy {
        var domains = parsed.domains.filter { wanted.contains($0.name) }
        let missing = wanted.subtracting(domains.map(\.name)).compactMap { stems[$0] }
        if !missing.isEmpty {
            var files: [String: [String: PolicyValue]] = [:]
            var shown: [String: String] = [:]
            for stem in missing {
                guard let file = try PolicyFile.domainFile(home, stem) else {
                    throw HomeError(.missing, "domains/\(stem).toml disappeared while the run read the policy")
                }
                files[stem] = file.table
                shown[stem] = file.name
            }
            do {
                let more = try Policy(document: ["defaults": document["defaults"] ?? .table([:])], files: files)
                domains += more.domains
            } catch let e as CoreError {
                throw CoreError(e.code, PolicyFile.located(e.reason, policy: home.show(home.policyFile), files: shown))
            }
        }
        return Policy(domains: domains, signers: parsed.signers, reportAuthorisations: reportAuthorisations)
    }

    /// Throws unless the policy has the domain `text` names (the list of domains in the message
    /// only when it is short; a domain the store holds is said to be missing from the policy).
    func check(_ text: String, store: Store? = nil) throws {
        let wanted = try DomainName(text)
        guard facts[wanted] == nil else { return }
        if let store, let e = try RemovedDomains.unknown(wanted, store: store) { throw e }
        let known =
            names.count <= 10
            ? names.map(\.description).joined(separator: ", ") : "\(names.count) domains, none of them \(wanted)"
        throw Policy.unknownDomain(wanted, known: known)
    }

    /// The domains whose MX hosts include one of `hosts`.
    func listing(_ hosts: Set<DomainName>) -> Set<DomainName> {
        Set(facts.values.filter { !hosts.isDisjoint(with: $0.mxHosts) }.map(\.domain))
    }

    /// The domains of `mailkeys.toml` itself.
    var inline: Set<DomainName> { Set(facts.values.filter { $0.stem.isEmpty }.map(\.domain)) }

    /// The domains that sign with DKIM, for the signers' configuration.
    var signerDomains: [SignerDomain] {
        var signers: [DomainName: String?] = storedSigners ?? [:]
        for (name, row) in facts { signers[name] = row.dkimEnabled ? .some(row.dkimGroup) : nil }
        return signers.map { ($0.key.description, SignerDomain(name: $0.key, group: $0.value)) }
            .sorted { $0.0 < $1.0 }.map(\.1)
    }
}
