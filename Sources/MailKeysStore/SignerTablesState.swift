import MailKeysCore

/// What the DKIM signers' tables (OpenDKIM's KeyTable and SigningTable, rspamd's map) were last
/// written from, so that a run whose domains' signing keys did not change can leave tables of
/// thousands of domains alone: a hash of everything they are made from besides the keys (the
/// signer settings, the home, which domains sign and through which group), the `stat` markers
/// of the files as written, and per domain a hash of its keys that sign. A cache: anything that
/// differs (a file touched by hand, a missing row) makes the run write the tables in full.
public struct SignerTablesState: Sendable, Equatable {
    public var inputs: String
    public var markers: String
    public var domains: [DomainName: String]

    public init(inputs: String, markers: String, domains: [DomainName: String]) {
        self.inputs = inputs
        self.markers = markers
        self.domains = domains
    }
}
