/// `check`'s TLS lines, judged from a ``TLSProfile`` the way internet.nl's mail test judges a
/// mail server: a line fails for an insufficient setting (see ``TLSGuidelines``) and passes with
/// phase-out settings named in its detail; a line that cannot apply (no TLS 1.2, say) passes and
/// says so. Client-initiated renegotiation and the trust chain are information only, as there.
public enum TLSGrades {
    /// One line's verdict for one server.
    public struct Verdict: Sendable, Equatable {
        public var id: String
        public var ok: Bool
        public var detail: String
    }

    /// The line ids, in the order `check` reports them.
    public static let ids = [
        "tls-version", "tls-ciphers", "tls-cipher-order", "tls-key-exchange", "tls-kex-hash", "tls-compression",
        "tls-renegotiation", "tls-ems", "certificate",
    ]

    /// Every line for one server; `daneTA`: a `2 x x` TLSA record covers it (a certificate
    /// without the MX host's name then fails, as DANE-TA checks the name).
    public static func verdicts(_ p: TLSProfile, daneTA: Bool) -> [Verdict] {
        [
            version(p), ciphers(p), cipherOrder(p), keyExchange(p), keyExchangeHash(p), compression(p),
            renegotiation(p), extendedMasterSecret(p), certificate(p, daneTA: daneTA),
        ]
    }

    /// Versions: TLS 1.0 and 1.1 (and SSL) fail; TLS 1.2 without 1.3 passes with a note.
    static func version(_ p: TLSProfile) -> Verdict {
        let bad = p.versions.filter { TLSGuidelines.version($0) == .insufficient }
        let list = p.versions.joined(separator: ", ")
        if !bad.isEmpty {
            return Verdict(
                id: "tls-version",
                ok: false,
                detail: "\(bad.joined(separator: ", ")) accepted (insufficient): \(list)"
            )
        }
        let note = p.versions.contains("TLSv1.3") ? "" : " (TLS 1.3 is preferred)"
        return Verdict(id: "tls-version", ok: true, detail: list + note)
    }

    /// Suites: any insufficient suite fails; phase-out ones are named.
    static func ciphers(_ p: TLSProfile) -> Verdict {
        let all = p.suites13 + p.ciphers
        let bad = all.filter { TLSGuidelines.cipher($0) == .insufficient }
        let old = all.filter { TLSGuidelines.cipher($0) == .phaseOut }
        if !bad.isEmpty {
            return Verdict(
                id: "tls-ciphers",
                ok: false,
                detail: "\(bad.count) insufficient suite\(bad.count == 1 ? "" : "s") accepted: \(sample(bad))"
            )
        }
        let note = old.isEmpty ? "" : "; phase out: \(sample(old))"
        return Verdict(id: "tls-ciphers", ok: true, detail: "\(all.count) suites, none insufficient\(note)")
    }

    /// Order: with phase-out suites beside good or sufficient ones, the server must choose by its
    /// own order and rank every good or sufficient suite above every phase-out one.
    static func cipherOrder(_ p: TLSProfile) -> Verdict {
        let old = p.ciphers.filter { TLSGuidelines.cipher($0) == .phaseOut }
        let better = p.ciphers.filter { TLSGuidelines.cipher($0) <= .sufficient }
        guard !old.isEmpty, !better.isEmpty else {
            return Verdict(
                id: "tls-cipher-order",
                ok: true,
                detail: "not applicable: no phase-out suite beside better ones"
            )
        }
        if p.serverOrder == false {
            return Verdict(
                id: "tls-cipher-order",
                ok: false,
                detail: "the server follows the client's order: a client listing \(old[0]) first gets it"
            )
        }
        if let first = p.ciphers.firstIndex(where: { old.contains($0) }),
            let late = p.ciphers[first...].first(where: { better.contains($0) })
        {
            return Verdict(
                id: "tls-cipher-order",
                ok: false,
                detail: "the server prefers \(p.ciphers[first]) (phase out) to \(late) (\(TLSGuidelines.cipher(late)))"
            )
        }
        return Verdict(id: "tls-cipher-order", ok: true, detail: "the server's own order, good and sufficient first")
    }

    /// Key exchange: every group accepted, and the server's own DHE group.
    static func keyExchange(_ p: TLSProfile) -> Verdict {
        var graded = p.groups.map { ($0, TLSGuidelines.group($0)) }
        if let bits = p.dhBits {
            let name = "DHE \(p.dhGroup ?? "custom group") (\(bits) bits)"
            graded.append((name, TLSGuidelines.serverDH(bits: bits, group: p.dhGroup)))
        }
        if graded.isEmpty {
            return Verdict(id: "tls-key-exchange", ok: true, detail: "not applicable: no (EC)DHE key exchange")
        }
        let bad = graded.filter { $0.1 == .insufficient }.map(\.0)
        let old = graded.filter { $0.1 == .phaseOut }.map(\.0)
        let note = old.isEmpty ? "" : "; phase out: \(sample(old))"
        if !bad.isEmpty {
            return Verdict(id: "tls-key-exchange", ok: false, detail: "insufficient: \(sample(bad))\(note)")
        }
        return Verdict(id: "tls-key-exchange", ok: true, detail: graded.map(\.0).joined(separator: ", ") + note)
    }

    /// Hash for key exchange: signing with SHA-1 fails, SHA-224 is phase out.
    static func keyExchangeHash(_ p: TLSProfile) -> Verdict {
        switch (p.sha1KeyExchange, p.sha224KeyExchange) {
        case (nil, _):
            return Verdict(id: "tls-kex-hash", ok: true, detail: "not applicable: no signed TLS 1.2 key exchange")
        case (true?, _):
            return Verdict(
                id: "tls-kex-hash",
                ok: false,
                detail: "the key exchange is signed with SHA-1 when a client offers nothing better"
            )
        case (_, true?):
            return Verdict(id: "tls-kex-hash", ok: true, detail: "SHA-2; SHA-224 accepted (phase out)")
        default:
            return Verdict(id: "tls-kex-hash", ok: true, detail: "SHA-2 (SHA-1 and SHA-224 refused)")
        }
    }

    /// Compression (CRIME): choosing it fails.
    static func compression(_ p: TLSProfile) -> Verdict {
        switch p.compression {
        case true?: return Verdict(id: "tls-compression", ok: false, detail: "the server chooses DEFLATE compression")
        case false?: return Verdict(id: "tls-compression", ok: true, detail: "no compression")
        case nil: return Verdict(id: "tls-compression", ok: true, detail: "not applicable: TLS 1.3 only")
        }
    }

    /// Renegotiation: no RFC 5746 support fails; client-initiated renegotiation is information.
    static func renegotiation(_ p: TLSProfile) -> Verdict {
        guard let secure = p.secureRenegotiation else {
            return Verdict(id: "tls-renegotiation", ok: true, detail: "not applicable: TLS 1.3 only")
        }
        let client =
            p.clientRenegotiation == true
            ? "client-initiated renegotiation allowed (information only)" : "client-initiated renegotiation refused"
        if !secure {
            return Verdict(id: "tls-renegotiation", ok: false, detail: "no secure renegotiation (RFC 5746); \(client)")
        }
        return Verdict(id: "tls-renegotiation", ok: true, detail: "secure renegotiation; \(client)")
    }

    /// Extended Master Secret in TLS 1.2: missing fails.
    static func extendedMasterSecret(_ p: TLSProfile) -> Verdict {
        switch p.extendedMasterSecret {
        case true?: return Verdict(id: "tls-ems", ok: true, detail: "Extended Master Secret (RFC 7627)")
        case false?:
            return Verdict(id: "tls-ems", ok: false, detail: "TLS 1.2 without Extended Master Secret (RFC 7627)")
        case nil: return Verdict(id: "tls-ems", ok: true, detail: "not applicable: TLS 1.3 only")
        }
    }

    /// Certificates: an insufficient key or signature fails, so does a name mismatch under
    /// DANE-TA; phase-out keys and an untrusted chain are named.
    static func certificate(_ p: TLSProfile, daneTA: Bool) -> Verdict {
        guard !p.certificates.isEmpty else {
            return Verdict(id: "certificate", ok: false, detail: "no certificate was served")
        }
        var problems: [String] = []
        var notes: [String] = []
        for c in p.certificates {
            let key = c.keyType == "EC" ? "EC \(c.curve ?? "?")" : "\(c.keyType) \(c.keyBits)"
            let keyClass = TLSGuidelines.certificateKey(c)
            let signatureClass = TLSGuidelines.signature(c)
            if keyClass == .insufficient { problems.append("key \(key) is insufficient") }
            if signatureClass == .insufficient { problems.append("signature \(c.signature) is insufficient") }
            if !c.nameMatches && daneTA { problems.append("\(key) certificate lacks the MX name (DANE-TA checks it)") }
            var note = "\(key), \(c.signature)"
            if keyClass == .phaseOut { note += " (key: phase out)" }
            if signatureClass == .phaseOut { note += " (signature: phase out)" }
            if !c.nameMatches { note += ", not for the MX name" }
            if let trust = c.trustProblem { note += ", chain not trusted (\(trust), information only)" }
            notes.append(note)
        }
        if !problems.isEmpty { return Verdict(id: "certificate", ok: false, detail: problems.joined(separator: "; ")) }
        return Verdict(id: "certificate", ok: true, detail: notes.joined(separator: "; "))
    }

    /// The first few names of a list and how many more.
    static func sample(_ names: [String], count: Int = 4) -> String {
        let shown = names.prefix(count).joined(separator: ", ")
        return names.count > count ? "\(shown) and \(names.count - count) more" : shown
    }
}
