/// The DMARC report authorisations a set of domains needs (RFC 7489 §7.1): when a domain's
/// `rua` or `ruf` sends reports to a mailbox outside the domain, the zone that holds that
/// mailbox's domain publishes `<domain>._report._dmarc.<mailbox domain>` TXT "v=DMARC1".
///
/// Built once from every domain's policy and then asked per zone, so building N zones costs
/// O(N) rather than every zone reading every other domain's DMARC record.
public struct ReportAuthorisations: Sendable, Equatable {
    /// One authorisation: `target`'s zone lets `source` send its reports there.
    public struct Entry: Sendable, Hashable {
        public let source: DomainName
        public let target: DomainName

        public init(source: DomainName, target: DomainName) {
            self.source = source
            self.target = target
        }

        /// The owner of the authorisation record.
        public func owner() throws -> DomainName { try target.prepending("\(source)._report._dmarc") }
    }

    /// The entries by every ancestor of their target (a zone finds those inside it by its name).
    private var byAncestor: [DomainName: [Entry]] = [:]

    public init() {}

    public init(_ domains: [DomainPolicy]) {
        for p in domains { add(p) }
    }

    /// Adds the authorisations `p`'s DMARC record needs.
    public mutating func add(_ p: DomainPolicy) { add(source: p.name, targets: Self.targets(of: p)) }

    /// Adds the authorisations of `source`, whose reports go to `targets` (``targets(of:)``).
    public mutating func add(source: DomainName, targets: [DomainName]) {
        for target in targets {
            let entry = Entry(source: source, target: target)
            var name = target
            while !name.labels.isEmpty {
                byAncestor[name, default: []].append(entry)
                name = name.parent
            }
        }
    }

    /// The domains outside `p` that its DMARC `rua` and `ruf` mail reports to, sorted.
    public static func targets(of p: DomainPolicy) -> [DomainName] {
        guard let dmarc = p.dmarc else { return [] }
        let uris = ((dmarc["rua"] ?? "") + "," + (dmarc["ruf"] ?? "")).split(separator: ",")
        let domains = Set(uris.compactMap { ReportURI.mailtoDomain($0.trimmingCharacters(in: .whitespaces)) })
        return domains.filter { !$0.isSubdomain(of: p.name) }.sorted()
    }

    /// The authorisations the zone of `origin` publishes: targets at or under `origin`, from
    /// other domains, in a stable order.
    public func needed(in origin: DomainName) -> [Entry] {
        (byAncestor[origin] ?? []).filter { $0.source != origin }
            .sorted { ($0.target, $0.source) < ($1.target, $1.source) }
    }
}
