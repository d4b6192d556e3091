import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// The state `mailkeys status` prints, and its stable JSON form.
public struct StatusReport: Codable, Sendable {
    public struct RecordInfo: Codable, Sendable {
        public var owner: String
        public var ttl: UInt32
        public var type: String
        public var rdata: String
        public var source: String
    }
    public struct KeyInfo: Codable, Sendable {
        public var kind: String
        public var name: String
        public var algorithm: String
        public var created: String
        public var published: String?
        public var active: String?
        public var retired: String?
        public var removed: String?
        public var revoked: String?
        /// Derived from the timestamps at `now`: created, published, active, retired, revoked, removed.
        public var state: String
        public var publicKey: String?
    }
    public struct EventInfo: Codable, Sendable {
        public var at: String?
        public var action: String
        public var detail: String
    }
    /// One MX host and port: the certificate served, the TLSA set and what comes next.
    public struct TLSInfo: Codable, Sendable {
        public var owner: String
        /// `ecdsa 1b0edcbc4c437a6b until 2027-01-20T00:00:00Z`, one per served key type.
        public var served: [String]
        /// Each TLSA record with when it was first published.
        public var records: [String]
        /// Certificates held by the deploy gate, with when they go live.
        public var pending: [String]
        /// The same as objects, for scripts: every served and pending certificate.
        public var certificates: [CertificateInfo] = []
        /// Every TLSA record of the owner as fields, with when it was first published.
        public var tlsa: [TLSARecordInfo] = []
    }
    /// A certificate of an MX host as the store holds it.
    public struct CertificateInfo: Codable, Sendable {
        /// `served` or `pending` (held by the deploy gate).
        public var state: String
        /// `ecdsa` or `rsa`.
        public var keyType: String
        /// SHA-256 of the certificate and of its SubjectPublicKeyInfo (what `3 1 1` holds), hex.
        public var fingerprint: String
        public var spki: String
        public var notBefore: String
        public var notAfter: String
        /// When the deploy gate lets a pending certificate in (nil: served, or its record is not
        /// published yet).
        public var goesLive: String?
    }
    /// One TLSA record.
    public struct TLSARecordInfo: Codable, Sendable {
        public var usage: Int
        public var selector: Int
        public var matchingType: Int
        /// The association data, hex.
        public var data: String
        public var published: String
    }
    /// The last export of the zone to one target (`[[export]]`).
    public struct ExportInfo: Codable, Sendable {
        public var target: String
        /// The serial last sent, and when.
        public var serial: UInt32
        public var attempted: String
        /// The serial the target was last seen serving, and when (nil: never).
        public var confirmedSerial: UInt32?
        public var confirmed: String?
        /// Why the last attempt failed (nil: it did not).
        public var error: String?
    }
    public struct DomainInfo: Codable, Sendable {
        public var domain: String
        public var serial: UInt32?
        public var builtAt: String?
        public var zoneFile: String
        /// `current`, `stale` (tick would rebuild) or `missing`.
        public var zoneState: String
        public var records: [RecordInfo]
        public var keys: [KeyInfo]
        public var next: [EventInfo]
        public var recent: [EventInfo]
        public var warnings: [String]
        /// When the signatures of the signed zone expire (signed domains only).
        public var signaturesExpire: String?
        public var tls: [TLSInfo] = []
        public var exports: [ExportInfo] = []
        /// Where the domain's removal stands (`domain remove`), nil when it is not being removed.
        public var removal: String? = nil
    }
    public var home: String
    public var now: String
    public var domains: [DomainInfo]
}
