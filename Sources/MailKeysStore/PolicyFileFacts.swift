import MailKeysCore

/// What a run needs to know of a domain whose policy file (`domains/<domain>.toml`) it does not
/// read: the file as `stat` saw it when it was last parsed and validated, and what other domains
/// and the signers need from it. A cache: a row whose marker or base differs is read again.
public struct PolicyFileFacts: Sendable, Equatable {
    /// The file name without `.toml`, as found.
    public var stem: String
    /// ``FileMarker`` of the file when it was parsed.
    public var marker: String
    /// Hash of what the file was merged with and validated by (the tables of `mailkeys.toml`
    /// outside `[domains]`, `[defaults]`, the program).
    public var base: String
    public var domain: DomainName
    /// The domain's policy hash (``PolicyDigest``).
    public var digest: String
    /// Where its DMARC reports go outside the domain.
    public var reportTargets: [DomainName]
    public var mxHosts: [DomainName]
    public var dkimEnabled: Bool
    public var dkimGroup: String?

    public init(
        stem: String,
        marker: String,
        base: String,
        domain: DomainName,
        digest: String,
        reportTargets: [DomainName],
        mxHosts: [DomainName],
        dkimEnabled: Bool,
        dkimGroup: String?
    ) {
        self.stem = stem
        self.marker = marker
        self.base = base
        self.domain = domain
        self.digest = digest
        self.reportTargets = reportTargets
        self.mxHosts = mxHosts
        self.dkimEnabled = dkimEnabled
        self.dkimGroup = dkimGroup
    }
}
