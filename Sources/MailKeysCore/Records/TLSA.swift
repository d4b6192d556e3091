import Foundation

/// TLSA records (RFC 6698, 7671, 7672) and the deploy gate, as pure functions.
public enum TLSA {
    /// The TLSA RRsets of one MX host: for each port, `3 1 1` of every served or pending key and
    /// `2 1 1` of every issuer the policy lists for those keys' types. Empty without a known
    /// certificate (no records rather than records that match nothing).
    public static func records(
        host: DomainName,
        certificates: [TLSCertificate],
        next: [TLSNextKey] = [],
        policy: TLSPolicy
    ) -> [(owner: DomainName, rdata: String)] {
        let live = certificates.filter { $0.host == host && $0.state != .replaced }
        guard policy.enabled, !live.isEmpty else { return [] }
        var keys = Set(live.map(\.spki))
        if policy.scheme == .currentNext {
            for k in next where k.host == host && k.used == nil { keys.insert(k.spki) }
        }
        var data = keys.sorted().map { "3 1 1 \($0)" }
        if policy.scheme == .currentIssuer {
            for type in TLSKeyType.allCases where live.contains(where: { $0.keyType == type }) {
                for h in policy.issuers[type] ?? [] where !data.contains("2 1 1 \(h)") { data.append("2 1 1 \(h)") }
            }
        }
        return policy.ports.flatMap { port in
            data.map { (DomainName(uncheckedLabels: ["_\(port)", "_tcp"] + host.labels), $0) }
        }
    }

    /// Whether a certificate with leaf key `spki` and issuer keys `issuers` matches a TLSA record
    /// that has been published since at least `2 × ttl` before `now` (RFC 7671 §8.1), given
    /// when each record (`3 1 1 …` / `2 1 1 …`) was first published.
    public static func covered(spki: String, issuers: [String], published: [String: Date], ttl: UInt32, now: Date)
        -> Bool
    {
        let since = now.addingTimeInterval(-2 * TimeInterval(ttl))
        if let t = published["3 1 1 \(spki)"], t <= since { return true }
        return issuers.contains { published["2 1 1 \($0)"].map { $0 <= since } ?? false }
    }

    /// When a pending certificate becomes covered by its own `3 1 1` record published at `at`.
    public static func coveredAt(publishedAt: Date, ttl: UInt32) -> Date {
        publishedAt.addingTimeInterval(2 * TimeInterval(ttl))
    }
}
