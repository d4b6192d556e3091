/// The owner names of a zone as signing sees them, and the NSEC or NSEC3 chain over them.
public enum DNSSECChain {
    /// One owner name with the types present there.
    public struct Node: Sendable, Equatable {
        public var name: DomainName
        public var types: [RRType]
        /// An NS RRset below the apex: a zone cut (only its DS is signed).
        public var delegation: Bool
        public init(name: DomainName, types: [RRType], delegation: Bool) {
            self.name = name
            self.types = types
            self.delegation = delegation
        }
    }

    /// One NSEC or NSEC3 record: its owner, the next owner (a name for NSEC, a hash for NSEC3) and
    /// the types of the name it covers.
    public struct Link: Sendable, Equatable {
        public var owner: DomainName
        public var next: DomainName?
        public var nextHash: [UInt8]
        public var types: [RRType]
    }

    /// The nodes to chain and sign, in canonical order: names below a zone cut (glue, occluded
    /// data) are left out. `names` must be in canonical order with the apex first.
    public static func authoritative(_ names: [Node], apex: DomainName) -> [Node] {
        var out: [Node] = []
        var cut: DomainName? = nil
        for node in names {
            if let c = cut, node.name != c, node.name.isSubdomain(of: c) { continue }
            cut = node.name != apex && node.types.contains(.ns) ? node.name : nil
            var n = node
            n.delegation = cut != nil
            out.append(n)
        }
        return out
    }

    /// Whether a node has RRsets that carry signatures (at a zone cut only a DS does).
    static func signed(_ node: Node) -> Bool { !node.delegation || node.types.contains(.ds) }

    /// The NSEC chain (RFC 4034 §4): each authoritative name points to the next, the last to the
    /// apex; the bitmap lists the name's types plus RRSIG and NSEC.
    public static func nsec(_ nodes: [Node]) -> [Link] {
        nodes.indices.map { i in
            let node = nodes[i]
            let next = nodes[(i + 1) % nodes.count].name
            return Link(owner: node.name, next: next, nextHash: [], types: node.types + [.rrsig, .nsec])
        }
    }

    /// The NSEC3 chain (RFC 5155, RFC 9276: no opt-out): every authoritative name and every empty
    /// non-terminal between it and the apex, hashed by `hash` (SHA-1 of the canonical wire name),
    /// ordered by hash, each pointing to the next. The apex also lists NSEC3PARAM.
    public static func nsec3(_ nodes: [Node], apex: DomainName, hash: ([UInt8]) -> [UInt8]) -> [Link] {
        var all: [DomainName: [RRType]] = [:]
        for node in nodes {
            var types = node.types
            if signed(node) { types.append(.rrsig) }
            if node.name == apex { types.append(.nsec3param) }
            all[node.name] = types
            var up = node.name.parent
            while up != apex && up.isSubdomain(of: apex) && all[up] == nil {
                all[up] = []
                up = up.parent
            }
        }
        let hashed = all.map { (hash: hash(DNSSECWire.canonicalName($0.key)), types: $0.value) }
            .sorted { $0.hash.lexicographicallyPrecedes($1.hash) }
        return hashed.indices.map { i in
            let owner = DomainName(uncheckedLabels: [DNSSECWire.base32hex(hashed[i].hash)] + apex.labels)
            return Link(owner: owner, next: nil, nextHash: hashed[(i + 1) % hashed.count].hash, types: hashed[i].types)
        }
    }

    /// The type list as NSEC and NSEC3 records print it: mnemonics in type-code order.
    public static func typeList(_ types: [RRType]) -> String {
        Set(types).sorted().map(\.mnemonic).joined(separator: " ")
    }
}

/// The RRsets and signatures of a zone file that mailkeys signed before, indexed by owner and
/// type, so that a re-sign can keep the signatures of RRsets that did not change.
public struct SignedZoneIndex: Sendable {
    /// One RRSIG as written: its fields and the whole line.
    public struct Signature: Sendable, Equatable {
        public var algorithm: Int
        public var keyTag: UInt16
        public var inception: UInt32
        public var expiration: UInt32
        public var line: Substring
    }

    /// The exact record lines of each RRset (`owner\ttype` → lines), and its signatures.
    public private(set) var content: [Substring: Substring] = [:]
    public private(set) var signatures: [Substring: [Signature]] = [:]

    /// Indexes `text`, a zone mailkeys wrote: one record per line, tab-separated owner, TTL,
    /// class, type and RDATA, every owner absolute, each RRset's lines together.
    public init(_ text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        var start: [Substring: Substring.Index] = [:]
        var end: [Substring: Substring.Index] = [:]
        for line in lines {
            guard let first = line.utf8.first, first != UInt8(ascii: ";"), first != UInt8(ascii: "$") else { continue }
            let f = line.split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false)
            guard f.count == 5 else { continue }
            if f[3] == "RRSIG" {
                let r = f[4].split(separator: " ", maxSplits: 8)
                guard r.count == 9, let alg = Int(r[1]), let tag = UInt16(r[6]), let exp = DNSSECWire.parseTime(r[4]),
                    let inc = DNSSECWire.parseTime(r[5])
                else { continue }
                signatures[Self.key(f[0], r[0]), default: []].append(
                    Signature(algorithm: alg, keyTag: tag, inception: inc, expiration: exp, line: line))
            } else {
                let k = Self.key(f[0], f[3])
                if start[k] == nil { start[k] = line.startIndex }
                end[k] = line.endIndex
            }
        }
        for (k, s) in start { content[k] = text[s..<end[k]!] }
    }

    /// `owner\ttype` as a new string (keys must not alias the lines).
    public static func key<S: StringProtocol>(_ owner: S, _ type: S) -> Substring {
        Substring(owner + "\t" + type)
    }
}
