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
        public init(owner: DomainName, next: DomainName?, nextHash: [UInt8], types: [RRType]) {
            self.owner = owner
            self.next = next
            self.nextHash = nextHash
            self.types = types
        }
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
    public static func nsec(_ nodes: [Node]) -> [Link] { nodes.indices.map { nsec(nodes, $0) } }

    /// The NSEC record of node `i` (one link of ``nsec(_:)``, for signers that build them one at a time).
    public static func nsec(_ nodes: [Node], _ i: Int) -> Link {
        Link(
            owner: nodes[i].name,
            next: nodes[(i + 1) % nodes.count].name,
            nextHash: [],
            types: nodes[i].types + [.rrsig, .nsec]
        )
    }

    /// The NSEC3 chain (RFC 5155, RFC 9276: no opt-out): every authoritative name and every empty
    /// non-terminal between it and the apex, hashed by `hash` (SHA-1 of the canonical wire name),
    /// ordered by hash, each pointing to the next. The apex also lists NSEC3PARAM.
    public static func nsec3(_ nodes: [Node], apex: DomainName, hash: ([UInt8]) -> [UInt8]) -> [Link] {
        var all: [DomainName: [RRType]] = [:]
        for node in nodes {
            all[node.name] = nsec3Types(node, apex: apex)
            var up = node.name.parent
            while up != apex && up.isSubdomain(of: apex) && all[up] == nil {
                all[up] = []
                up = up.parent
            }
        }
        let hashed = all.map { (hash: hash(DNSSECWire.canonicalName($0.key)), types: $0.value) }
            .sorted { $0.hash.lexicographicallyPrecedes($1.hash) }
        return hashed.indices.map { i in
            let owner = nsec3Owner(hashed[i].hash, apex: apex)
            return Link(owner: owner, next: nil, nextHash: hashed[(i + 1) % hashed.count].hash, types: hashed[i].types)
        }
    }

    /// The owner of the NSEC3 record for a name with hash `hash`: the hash in base32hex, below the apex.
    public static func nsec3Owner(_ hash: [UInt8], apex: DomainName) -> DomainName {
        DomainName(uncheckedLabels: [DNSSECWire.base32hex(hash)] + apex.labels)
    }

    /// The types the NSEC3 record of an authoritative `node` lists: its own, RRSIG where it has
    /// signed RRsets, NSEC3PARAM at the apex.
    public static func nsec3Types(_ node: Node, apex: DomainName) -> [RRType] {
        var types = node.types
        if signed(node) { types.append(.rrsig) }
        if node.name == apex { types.append(.nsec3param) }
        return types
    }

    /// The type list as NSEC and NSEC3 records print it: mnemonics in type-code order.
    public static func typeList(_ types: [RRType]) -> String {
        Set(types).sorted().map(\.mnemonic).joined(separator: " ")
    }
}
