import Foundation

/// The DKIM signers mailkeys configures: OpenDKIM's KeyTable and SigningTable, and rspamd's
/// `dkim_signing` selector map. Paths are relative to the home unless absolute.
public struct SignerPolicy: Sendable, Equatable {
    public var opendkim: Bool = true
    public var keyTable = "Keys/opendkim/KeyTable"
    public var signingTable = "Keys/opendkim/SigningTable"
    /// The Ed25519 tables, for a second OpenDKIM instance (`SignatureAlgorithm ed25519-sha256`).
    public var ed25519KeyTable = "Keys/opendkim/KeyTable.ed25519"
    public var ed25519SigningTable = "Keys/opendkim/SigningTable.ed25519"
    /// Run (argv, no shell) after the OpenDKIM tables changed.
    public var opendkimReload: [String]?
    public var rspamd: Bool = true
    public var rspamdMap = "Keys/rspamd/dkim_signing.conf"
    public var rspamdReload: [String]?

    public init() {}

    /// Validates the top-level `[opendkim]` and `[rspamd]` tables.
    public init(opendkim: PolicyTable?, rspamd: PolicyTable?) throws {
        func argv(_ t: PolicyTable) throws -> [String]? {
            guard let list = try t.strings("reload") else { return nil }
            guard let first = list.first, first.hasPrefix("/") || !first.contains("/"), !first.isEmpty else {
                throw CoreError(
                    .invalidPolicy,
                    "\(t.path).reload: give the command as an argv list, e.g. [\"systemctl\", \"reload\", \"opendkim\"]"
                )
            }
            return list
        }
        if let t = opendkim {
            self.opendkim = try t.bool("enabled") ?? true
            keyTable = try t.string("key_table") ?? keyTable
            signingTable = try t.string("signing_table") ?? signingTable
            ed25519KeyTable = try t.string("ed25519_key_table") ?? ed25519KeyTable
            ed25519SigningTable = try t.string("ed25519_signing_table") ?? ed25519SigningTable
            opendkimReload = try argv(t)
            let paths = [keyTable, signingTable, ed25519KeyTable, ed25519SigningTable]
            guard Set(paths).count == paths.count else {
                throw CoreError(
                    .invalidPolicy,
                    "\(t.path): key_table, signing_table, ed25519_key_table and ed25519_signing_table must be four different files: one OpenDKIM instance signs with one algorithm, so RSA and Ed25519 keys need tables of their own"
                )
            }
            try t.finish()
        }
        if let t = rspamd {
            self.rspamd = try t.bool("enabled") ?? true
            rspamdMap = try t.string("map") ?? rspamdMap
            rspamdReload = try argv(t)
            try t.finish()
        }
    }
}
