import Testing

@testable import MailKeysCore

/// The TLS lines of `check` judged from scan results, as internet.nl's mail test judges them
/// (insufficient fails, phase out passes with a note, information never fails).
@Suite("TLSGrades")
struct TLSGradesTests {
    /// A profile with only good and sufficient settings: TLS 1.2 and 1.3, ECDHE with AEAD suites.
    static func strong() -> TLSProfile {
        var p = TLSProfile()
        p.versions = ["TLSv1.2", "TLSv1.3"]
        p.ciphers = ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"]
        p.suites13 = ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"]
        p.serverOrder = true
        p.groups = ["x25519", "secp256r1"]
        p.sha1KeyExchange = false
        p.sha224KeyExchange = false
        p.compression = false
        p.secureRenegotiation = true
        p.clientRenegotiation = false
        p.extendedMasterSecret = true
        p.certificates = [
            TLSCertificateFacts(
                keyType: "EC",
                keyBits: 256,
                curve: "prime256v1",
                signature: "ecdsa-with-SHA256",
                signatureHash: "SHA256",
                nameMatches: true,
                trustProblem: nil
            )
        ]
        return p
    }

    static func failed(_ p: TLSProfile, daneTA: Bool = true) -> [String] {
        TLSGrades.verdicts(p, daneTA: daneTA).filter { !$0.ok }.map(\.id)
    }

    @Test func aStrongServerPassesEveryLine() {
        let verdicts = TLSGrades.verdicts(Self.strong(), daneTA: true)
        #expect(verdicts.map(\.id) == TLSGrades.ids)
        #expect(verdicts.filter { !$0.ok }.isEmpty, "\(verdicts)")
    }

    @Test func oldVersionsFailButTLS12AlonePasses() {
        var p = Self.strong()
        p.versions = ["TLSv1", "TLSv1.2"]
        #expect(Self.failed(p) == ["tls-version"])
        p.versions = ["TLSv1.2"]
        #expect(Self.failed(p).isEmpty)
        #expect(TLSGrades.version(p).detail.contains("TLS 1.3 is preferred"))
    }

    @Test(arguments: [
        ("AES128-SHA", false), ("ECDHE-RSA-AES128-SHA", false), ("ADH-AES128-GCM-SHA256", false),
        ("NULL-SHA256", false), ("AES128-GCM-SHA256", false), ("ECDHE-ECDSA-AES128-CCM8", false),
        ("TLS_AES_128_CCM_8_SHA256", false), ("ECDHE-RSA-AES128-SHA256", true), ("DHE-RSA-AES256-GCM-SHA384", true),
        ("ECDHE-ARIA256-GCM-SHA384", true), ("ECDHE-RSA-AES128-GCM-SHA256", true),
    ])
    func cipherClasses(name: String, passes: Bool) {
        var p = Self.strong()
        if name.hasPrefix("TLS_") { p.suites13.append(name) } else { p.ciphers.append(name) }
        #expect(TLSGrades.ciphers(p).ok == passes, "\(name)")
        if passes && TLSGuidelines.cipher(name) == .phaseOut {
            #expect(TLSGrades.ciphers(p).detail.contains("phase out: \(name)"))
        }
    }

    @Test func theOrderMattersOnlyWithPhaseOutSuites() {
        var p = Self.strong()
        p.serverOrder = false
        #expect(TLSGrades.cipherOrder(p).ok, "only sufficient suites: not applicable")
        p.ciphers = ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA256"]
        #expect(!TLSGrades.cipherOrder(p).ok, "the client's order with a phase-out suite")
        p.serverOrder = true
        #expect(TLSGrades.cipherOrder(p).ok)
        p.ciphers = ["ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384"]
        #expect(!TLSGrades.cipherOrder(p).ok, "a phase-out suite ranked above a sufficient one")
        p.ciphers = ["ECDHE-ECDSA-AES256-GCM-SHA384", "AES128-SHA", "ECDHE-ECDSA-AES128-SHA256"]
        #expect(TLSGrades.cipherOrder(p).ok, "insufficient suites are not ordered (the ciphers line fails them)")
    }

    @Test func keyExchangeGroupsAndServerDH() {
        var p = Self.strong()
        p.groups.append("secp224r1")
        #expect(TLSGrades.keyExchange(p).ok)
        #expect(TLSGrades.keyExchange(p).detail.contains("phase out: secp224r1"))
        p.groups.append("secp192r1")
        #expect(Self.failed(p) == ["tls-key-exchange"])
        p = Self.strong()
        p.dhBits = 4096
        p.dhGroup = "ffdhe4096"
        #expect(TLSGrades.keyExchange(p).ok)
        p.dhBits = 4096
        p.dhGroup = nil
        #expect(!TLSGrades.keyExchange(p).ok, "a custom group fails whatever its size")
        p.dhBits = 2048
        p.dhGroup = "ffdhe2048"
        #expect(!TLSGrades.keyExchange(p).ok)
        p = Self.strong()
        p.groups.append("ffdhe2048")
        #expect(!TLSGrades.keyExchange(p).ok)
    }

    @Test func sha1SignedKeyExchangeFails() {
        var p = Self.strong()
        p.sha224KeyExchange = true
        #expect(TLSGrades.keyExchangeHash(p).ok)
        p.sha1KeyExchange = true
        #expect(Self.failed(p) == ["tls-kex-hash"])
        p.sha1KeyExchange = nil
        #expect(TLSGrades.keyExchangeHash(p).ok, "no signed TLS 1.2 key exchange: not applicable")
    }

    @Test func compressionRenegotiationAndEMS() {
        var p = Self.strong()
        p.compression = true
        #expect(Self.failed(p) == ["tls-compression"])
        p = Self.strong()
        p.clientRenegotiation = true
        #expect(Self.failed(p).isEmpty, "client-initiated renegotiation is information only")
        #expect(TLSGrades.renegotiation(p).detail.contains("allowed"))
        p.secureRenegotiation = false
        #expect(Self.failed(p) == ["tls-renegotiation"])
        p = Self.strong()
        p.extendedMasterSecret = false
        #expect(Self.failed(p) == ["tls-ems"])
        p.versions = ["TLSv1.3"]
        p.ciphers = []
        (p.extendedMasterSecret, p.secureRenegotiation, p.compression, p.sha1KeyExchange) = (nil, nil, nil, nil)
        #expect(Self.failed(p).isEmpty, "TLS 1.3 alone: the TLS 1.2 lines do not apply")
    }

    @Test func certificateKeySignatureAndName() {
        func with(_ change: (inout TLSCertificateFacts) -> Void, daneTA: Bool = true) -> [String] {
            var p = Self.strong()
            change(&p.certificates[0])
            return Self.failed(p, daneTA: daneTA)
        }
        #expect(with { $0.trustProblem = "self-signed certificate" }.isEmpty, "the chain is information only")
        #expect(with { ($0.keyType, $0.keyBits, $0.curve) = ("RSA", 2048, nil) }.isEmpty, "RSA 2048 is phase out")
        #expect(with { ($0.keyType, $0.keyBits, $0.curve) = ("RSA", 1024, nil) } == ["certificate"])
        #expect(with { $0.curve = "secp256k1" } == ["certificate"])
        #expect(with { ($0.signature, $0.signatureHash) = ("ecdsa-with-SHA1", "SHA1") } == ["certificate"])
        #expect(with { $0.nameMatches = false } == ["certificate"], "DANE-TA checks the name")
        #expect(with({ $0.nameMatches = false }, daneTA: false).isEmpty, "DANE-EE alone does not")
        var none = Self.strong()
        none.certificates = []
        #expect(Self.failed(none) == ["certificate"])
    }
}
