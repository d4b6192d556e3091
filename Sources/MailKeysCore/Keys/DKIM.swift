import Foundation

/// A DKIM signing algorithm mailkeys generates keys for.
public enum DKIMAlgorithm: String, Sendable, CaseIterable, Codable {
    /// RSA-SHA256 (RFC 6376, RFC 8301: at least 1024 bits to verify, 2048 to sign).
    case rsa
    /// Ed25519-SHA256 (RFC 8463).
    case ed25519

    /// The letter that ends a selector of this algorithm.
    public var selectorSuffix: String { self == .rsa ? "r" : "e" }
}

/// The DKIM part of a domain's policy (`[domains."x".dkim]`).
public struct DKIMPolicy: Sendable, Equatable {
    public var enabled: Bool
    /// The algorithms that sign (both by default: dual signing).
    public var algorithms: [DKIMAlgorithm]
    public var rsaBits: Int
    /// How long a key signs before its successor is started.
    public var rotateEvery: Int
    /// How long a new key is in DNS before it may sign.
    public var publishAhead: Int
    /// How long a retired key stays in DNS (mail in transit, queued retries).
    public var overlap: Int
    /// How long a retired key is published revoked (`p=`) before removal; 0 removes it directly.
    public var revokedFor: Int
    /// Where removed private keys are published (dkim-rotate's "reveal"); nil keeps them secret
    /// (they are deleted at removal).
    public var revealDir: String?
    /// `t=s`: the key may not sign for subdomains.
    public var strict: Bool
    /// `t=y`: verifiers treat failures as testing.
    public var testing: Bool
    /// A group that may read the private keys (e.g. `opendkim`).
    public var group: String?
    /// After removal, how long the record may still sit in caches (TXT TTL + propagation): a
    /// private key is revealed only then.
    public var revealAfter: Int = 0

    /// Defaults for a domain whose TXT TTL is `txtTTL` and whose zone reaches every server within
    /// `propagation` seconds.
    public static func defaults(txtTTL: UInt32, propagation: Int) -> DKIMPolicy {
        DKIMPolicy(
            enabled: true, algorithms: [.rsa, .ed25519], rsaBits: 2048, rotateEvery: 90 * 86400,
            publishAhead: minimumPublishAhead(txtTTL: txtTTL, propagation: propagation), overlap: 7 * 86400, revokedFor: 0,
            revealDir: nil, strict: false, testing: false, group: nil, revealAfter: Int(txtTTL) + propagation)
    }

    /// 2 × the TXT TTL plus the propagation delay: the least time a new key must be in DNS.
    public static func minimumPublishAhead(txtTTL: UInt32, propagation: Int) -> Int { 2 * Int(txtTTL) + propagation }

    /// Validates `[domains."x".dkim]` (absent: the defaults).
    public init(table: PolicyTable?, txtTTL: UInt32, propagation: Int) throws {
        self = .defaults(txtTTL: txtTTL, propagation: propagation)
        guard let t = table else { return }
        enabled = try t.bool("enabled") ?? true
        if let names = try t.strings("algorithms") {
            algorithms = try names.map { n in
                guard let a = DKIMAlgorithm(rawValue: n.lowercased()) else {
                    throw CoreError(.invalidPolicy, "\(t.path).algorithms: \(Quote.short(n)) is not rsa or ed25519")
                }
                return a
            }
            guard !algorithms.isEmpty, Set(algorithms).count == algorithms.count else {
                throw CoreError(.invalidPolicy, "\(t.path).algorithms: list rsa, ed25519 or both, once each")
            }
        }
        rsaBits = try t.int("rsa_bits") ?? 2048
        guard [2048, 3072, 4096].contains(rsaBits) else {
            throw CoreError(
                .invalidPolicy,
                "\(t.path).rsa_bits: \(rsaBits) is not allowed; use 2048, 3072 or 4096 (RFC 8301: signers SHOULD use 2048 bits)")
        }
        let minimum = Self.minimumPublishAhead(txtTTL: txtTTL, propagation: propagation)
        publishAhead = try t.seconds("publish_ahead") ?? minimum
        guard publishAhead >= minimum else {
            throw CoreError(
                .invalidPolicy,
                "\(t.path).publish_ahead: \(TimeSpan.format(publishAhead)) is less than 2 × TXT TTL + propagation delay (\(TimeSpan.format(minimum)))"
            )
        }
        overlap = try t.seconds("overlap") ?? 7 * 86400
        guard overlap >= Int(txtTTL) + propagation else {
            throw CoreError(
                .invalidPolicy,
                "\(t.path).overlap: \(TimeSpan.format(overlap)) is shorter than the TXT TTL + propagation delay; messages in transit would fail")
        }
        rotateEvery = try t.seconds("rotate_every") ?? 90 * 86400
        guard rotateEvery > publishAhead else {
            throw CoreError(.invalidPolicy, "\(t.path).rotate_every: must be longer than publish_ahead (\(TimeSpan.format(publishAhead)))")
        }
        revokedFor = try t.seconds("revoked_for") ?? 0
        revealDir = try t.string("reveal_dir")
        if let dir = revealDir, !dir.hasPrefix("/") {
            throw CoreError(.invalidPolicy, "\(t.path).reveal_dir: \(Quote.short(dir)) must be an absolute path")
        }
        strict = try t.bool("strict") ?? false
        testing = try t.bool("testing") ?? false
        group = try t.string("group")
        if let g = group { try GroupName.check(g, at: "\(t.path).group") }
        try t.finish()
    }

    public init(
        enabled: Bool, algorithms: [DKIMAlgorithm], rsaBits: Int, rotateEvery: Int, publishAhead: Int, overlap: Int,
        revokedFor: Int, revealDir: String?, strict: Bool, testing: Bool, group: String?, revealAfter: Int = 0
    ) {
        self.enabled = enabled
        self.algorithms = algorithms
        self.rsaBits = rsaBits
        self.rotateEvery = rotateEvery
        self.publishAhead = publishAhead
        self.overlap = overlap
        self.revokedFor = revokedFor
        self.revealDir = revealDir
        self.strict = strict
        self.testing = testing
        self.group = group
        self.revealAfter = revealAfter
    }
}

/// Where a DKIM key stands at a moment, derived from its timestamps (never stored).
public enum DKIMState: String, Sendable, Codable {
    /// Generated, not yet in DNS.
    case created
    /// In DNS, not yet signing (waiting for `publish_ahead`).
    case published
    /// Signing.
    case active
    /// No longer signing, still in DNS for mail in transit.
    case retired
    /// In DNS with an empty `p=`.
    case revoked
    /// Gone from DNS.
    case removed
}

/// A DKIM key as the store records it.
public struct DKIMKey: Sendable, Equatable {
    public var selector: String
    public var algorithm: DKIMAlgorithm
    /// The `p=` value: base64 DER SubjectPublicKeyInfo (RSA) or raw 32-byte key (Ed25519).
    public var publicKey: String
    public var created: Date
    public var published: Date?
    public var active: Date?
    public var retired: Date?
    public var revoked: Date?
    public var removed: Date?
    public var revealed: Date?

    public init(
        selector: String, algorithm: DKIMAlgorithm, publicKey: String, created: Date, published: Date? = nil, active: Date? = nil,
        retired: Date? = nil, revoked: Date? = nil, removed: Date? = nil, revealed: Date? = nil
    ) {
        self.selector = selector
        self.algorithm = algorithm
        self.publicKey = publicKey
        self.created = created
        self.published = published
        self.active = active
        self.retired = retired
        self.revoked = revoked
        self.removed = removed
        self.revealed = revealed
    }

    /// The state at `now` from the timestamps that are not after `now`.
    public func state(at now: Date) -> DKIMState {
        func passed(_ d: Date?) -> Bool { d.map { $0 <= now } ?? false }
        if passed(removed) { return .removed }
        if passed(revoked) { return .revoked }
        if passed(retired) { return .retired }
        if passed(active) { return .active }
        if passed(published) { return .published }
        return .created
    }

    /// Whether the key's record is in the zone (published, not removed).
    public var inDNS: Bool { published != nil && removed == nil }

    /// Whether the key may sign (active, not retired).
    public var signing: Bool { active != nil && retired == nil && removed == nil }

    /// The latest timestamp the key carries.
    public var lastEvent: Date { [created, published, active, retired, revoked, removed, revealed].compactMap { $0 }.max()! }

    /// The TXT text of its `_domainkey` record (revoked: empty `p=`).
    public func recordText(policy: DKIMPolicy) -> String {
        var tags = ["v=DKIM1", "k=\(algorithm.rawValue)"]
        var flags: [String] = []
        if policy.testing { flags.append("y") }
        if policy.strict { flags.append("s") }
        if !flags.isEmpty { tags.append("t=\(flags.joined(separator: ":"))") }
        tags.append("p=\(revoked == nil ? publicKey : "")")
        return tags.joined(separator: "; ")
    }
}

/// One DKIM transition due now.
public enum DKIMAction: Sendable, Equatable, CustomStringConvertible {
    /// Generate a key with this selector and publish it in the zone.
    case create(selector: String, algorithm: DKIMAlgorithm)
    /// Start signing with the key.
    case activate(selector: String)
    /// Stop signing with the key (it stays in DNS for the overlap).
    case retire(selector: String)
    /// Publish the key with an empty `p=`.
    case revoke(selector: String)
    /// Take the key out of DNS (its private half is deleted, or kept until it is revealed).
    case remove(selector: String)
    /// Publish the private key in the reveal directory (once no cache can hold the record).
    case reveal(selector: String)

    public var description: String {
        switch self {
        case .create(let s, let a): return "create and publish \(a.rawValue) key \(s)"
        case .activate(let s): return "start signing with \(s)"
        case .retire(let s): return "stop signing with \(s) (it stays in DNS for the overlap)"
        case .revoke(let s): return "publish \(s) revoked (empty p=)"
        case .remove(let s): return "remove \(s) from DNS"
        case .reveal(let s): return "reveal the private key of \(s)"
        }
    }

    public var selector: String {
        switch self {
        case .create(let s, _), .activate(let s), .retire(let s), .revoke(let s), .remove(let s), .reveal(let s): return s
        }
    }
}

/// The DKIM rollover schedule: a pure function of the keys, the policy and `now`.
///
/// Timeline of one key: created and published together → active once it has been in DNS for
/// `publish_ahead` (the predecessor of the same algorithm retires at that moment) → retired
/// after `rotate_every` when its successor activates → (revoked for `revoked_for`) → removed
/// `overlap` after retirement. Every interval is measured from the recorded timestamp of the
/// step before, so a tick that comes late only delays later steps and never shortens one.
public enum DKIMPlanner {
    /// The selector for a new key: `mk` + date (UTC) + `r`/`e`, plus a counter from 2 when that
    /// name was used before (selectors are never reused).
    public static func selector(for algorithm: DKIMAlgorithm, at now: Date, taken: Set<String>) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        let base = String(format: "mk%04d%02d%02d%@", c.year!, c.month!, c.day!, algorithm.selectorSuffix)
        if !taken.contains(base) { return base }
        var n = 2
        while taken.contains("\(base)\(n)") { n += 1 }
        return "\(base)\(n)"
    }

    /// The transitions due at `now` (in the order to apply them) and when the next one falls due.
    /// `rotate` starts a rollover now for every algorithm that has no successor waiting.
    /// A `now` earlier than the newest key event plans nothing (the clock went backwards; no
    /// timestamp is ever written out of order).
    public static func plan(keys: [DKIMKey], policy: DKIMPolicy, now: Date, rotate: Bool = false) -> (
        actions: [DKIMAction], nextWake: Date?
    ) {
        if let newest = keys.map(\.lastEvent).max(), now < newest { return ([], nil) }
        var actions: [DKIMAction] = []
        var wakes: [Date] = []
        var taken = Set(keys.map(\.selector))
        let wanted = policy.enabled ? policy.algorithms : []
        func at(_ d: Date, _ s: Int) -> Date { d.addingTimeInterval(TimeInterval(s)) }

        // Wanted algorithms first: a dropped algorithm keeps signing until a wanted one signs,
        // so switching algorithms never leaves the domain without a signature.
        let order = wanted + DKIMAlgorithm.allCases.filter { !wanted.contains($0) }
        for algorithm in order {
            let live = keys.filter { $0.algorithm == algorithm && $0.removed == nil }
            let signing = live.filter(\.signing)
            let pending = live.filter { $0.published != nil && $0.active == nil }.sorted { $0.created < $1.created }
            guard wanted.contains(algorithm) else {
                let wantedSigns =
                    keys.contains { wanted.contains($0.algorithm) && $0.signing }
                    || actions.contains { if case .activate = $0 { return true } else { return false } }
                if wanted.isEmpty || wantedSigns {
                    for k in signing { actions.append(.retire(selector: k.selector)) }
                }
                for k in pending { actions.append(.remove(selector: k.selector)) }
                continue
            }
            if let next = pending.last {
                let ready = at(next.published!, policy.publishAhead)
                if now >= ready {
                    actions.append(.activate(selector: next.selector))
                    for k in signing { actions.append(.retire(selector: k.selector)) }
                    for k in pending.dropLast() { actions.append(.remove(selector: k.selector)) }
                    wakes.append(at(now, policy.rotateEvery))
                } else {
                    wakes.append(ready)
                }
            } else if signing.isEmpty || rotate || now >= at(signing.map { $0.active! }.max()!, policy.rotateEvery) {
                let s = selector(for: algorithm, at: now, taken: taken)
                taken.insert(s)
                actions.append(.create(selector: s, algorithm: algorithm))
                wakes.append(at(now, policy.publishAhead))
            } else {
                wakes.append(at(signing.map { $0.active! }.max()!, policy.rotateEvery))
            }
        }
        for k in keys where k.retired != nil && k.removed == nil {
            let end = at(k.retired!, policy.overlap)
            if let revoked = k.revoked {
                let gone = at(revoked, policy.revokedFor)
                if now >= gone { actions.append(.remove(selector: k.selector)) } else { wakes.append(gone) }
            } else if now >= end {
                if policy.revokedFor > 0 {
                    actions.append(.revoke(selector: k.selector))
                    wakes.append(at(now, policy.revokedFor))
                } else {
                    actions.append(.remove(selector: k.selector))
                }
            } else {
                wakes.append(end)
            }
        }
        if let dir = policy.revealDir, !dir.isEmpty {
            for k in keys where k.removed != nil && k.revealed == nil {
                let when = at(k.removed!, policy.revealAfter)
                if now >= when { actions.append(.reveal(selector: k.selector)) } else { wakes.append(when) }
            }
        }
        // A retirement decided in this run starts its overlap now.
        for case .retire in actions { wakes.append(at(now, policy.overlap)) }
        return (actions, wakes.min())
    }

    /// Applies `actions` to `keys` at `now` (new keys need their public half from the caller).
    public static func apply(_ actions: [DKIMAction], to keys: [DKIMKey], now: Date, newKeys: [String: String]) -> [DKIMKey] {
        var out = keys
        for action in actions {
            switch action {
            case .create(let s, let a):
                out.append(DKIMKey(selector: s, algorithm: a, publicKey: newKeys[s] ?? "", created: now, published: now))
            case .activate(let s):
                if let i = out.firstIndex(where: { $0.selector == s }) { out[i].active = now }
            case .retire(let s):
                if let i = out.firstIndex(where: { $0.selector == s }) { out[i].retired = now }
            case .revoke(let s):
                if let i = out.firstIndex(where: { $0.selector == s }) { out[i].revoked = now }
            case .remove(let s):
                if let i = out.firstIndex(where: { $0.selector == s }) { out[i].removed = now }
            case .reveal(let s):
                if let i = out.firstIndex(where: { $0.selector == s }) { out[i].revealed = now }
            }
        }
        return out
    }
}

/// A Unix group named in the policy (`dkim.group`, `tls.group`).
public enum GroupName {
    /// The longest name accepted: groupadd refuses names over 32 characters; 64 leaves room for
    /// directory services.
    public static let maxLength = 64

    /// Throws unless `name` is 1 to 64 ASCII letters, digits, `-`, `_` or `.`; `at` names the key.
    public static func check(_ name: String, at: String) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw CoreError(.invalidPolicy, "\(at): \(Quote.short(name)) is not a group name")
        }
        guard name.count <= maxLength else {
            throw CoreError(.invalidPolicy, "\(at): \(Quote.short(name)) is longer than a group name may be (\(maxLength) characters)")
        }
    }
}
