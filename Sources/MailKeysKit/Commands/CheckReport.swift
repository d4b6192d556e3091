import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// `mailkeys check`: what a MECSA or internet.nl mail test would see, read from the live
/// authoritative server and the MX's STARTTLS, checked against what mailkeys holds.
public struct CheckReport: Encodable, Sendable {
    public struct Line: Codable, Sendable {
        /// dnssec, mx, ipv6, starttls, tlsa, mta-sts, tls-rpt, spf, dkim, dmarc, caa.
        public var id: String
        /// MECSA areas the check counts for: confidential-delivery, phishing, integrity.
        public var areas: [String]
        public var ok: Bool
        public var detail: String
    }
    public var domain: String
    public var server: String
    public var now: String
    public var checks: [Line]
    public var passed: Int { checks.filter(\.ok).count }
    public var ok: Bool { checks.allSatisfy(\.ok) }

    enum CodingKeys: String, CodingKey { case domain, server, now, checks, passed, ok }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(domain, forKey: .domain)
        try c.encode(server, forKey: .server)
        try c.encode(now, forKey: .now)
        try c.encode(checks, forKey: .checks)
        try c.encode(passed, forKey: .passed)
        try c.encode(ok, forKey: .ok)
    }

    /// The short score card.
    public var text: String {
        var out = "\(domain) at \(server), \(now)\n"
        for (area, title) in [
            ("confidential-delivery", "confidential delivery"), ("phishing", "phishing and identity theft"),
            ("integrity", "integrity"),
        ] {
            out += "\(title)\n"
            for l in checks where l.areas.contains(area) {
                out +=
                    "  \(l.ok ? "PASS" : "FAIL")  \(l.id.padding(toLength: 9, withPad: " ", startingAt: 0)) \(l.detail)\n"
            }
        }
        let other = checks.filter { $0.areas.isEmpty }
        if !other.isEmpty {
            out += "internet.nl extras\n"
            for l in other {
                out +=
                    "  \(l.ok ? "PASS" : "FAIL")  \(l.id.padding(toLength: 9, withPad: " ", startingAt: 0)) \(l.detail)\n"
            }
        }
        return out + "score \(passed)/\(checks.count)\(ok ? "" : ": FAIL")\n"
    }
}
