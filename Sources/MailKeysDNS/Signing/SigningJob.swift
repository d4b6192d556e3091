import MailKeysCore

/// One RRset to sign, kept small (a large zone has hundreds of thousands): its records are a
/// range of the request's records, or one of the signer's own RRsets (apex keys, NSEC3), or an
/// NSEC made from the next name and a type bitmap when it is written.
struct SigningJob {
    var owner: DomainName
    var ownerText: String
    var type: RRType
    var ttl: UInt32
    /// Records `first..<first+count` of the request, when `own` is -1.
    var first: Int32 = 0
    var count: Int32 = 0
    /// Index into ``SigningPlan/own``, or -1.
    var own: Int32 = -1
    /// For NSEC: the next name and the types at the owner (codes below 64 as bits, others in
    /// ``SigningPlan/otherTypes``).
    var next: DomainName? = nil
    var typeBits: UInt64 = 0
    var otherTypes: Int32 = -1
    var keySet: Bool
    /// Keys (bit k: key k) that sign it in this run.
    var signers: UInt16 = 0
    /// Index into ``SigningPlan/kept`` (signature lines kept from the previous file), or -1.
    var kept: Int32 = -1
    /// Index into ``SigningPlan/before`` (unsigned lines printed before it), or -1.
    var before: Int32 = -1
    /// 2t for the RRsets and NSEC of tracked owner t, 2t+1 for its NSEC3; -1 untracked.
    var mark: Int32 = -1
}
