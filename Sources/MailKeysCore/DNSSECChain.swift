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

/// The RRsets and signatures of a zone file that mailkeys signed before, indexed by owner, TTL
/// and type, so that a re-sign can keep the signatures of RRsets that did not change. Scans the
/// text once, byte by byte, without copying it (a large zone has hundreds of thousands of lines).
public struct SignedZoneIndex: Sendable {
    /// One RRSIG as written: its fields and the whole line.
    public struct Signature: Sendable, Equatable {
        public var algorithm: Int
        public var keyTag: UInt16
        public var inception: UInt32
        public var expiration: UInt32
        public var line: Substring
    }

    /// An RRset's record lines, in file order, and the RRSIG lines that follow them.
    public struct Block: Sendable {
        public var lines: [Substring] = []
        public var signatures: [Substring] = []
    }

    /// Blocks by key: the first four fields of their lines, `owner\tTTL\tIN\tTYPE`.
    public private(set) var blocks: [Substring: Block] = [:]

    /// Indexes `text`, a zone mailkeys wrote: one record per line, tab-separated owner, TTL,
    /// class, type and RDATA, every owner absolute, each RRset's lines together, followed by
    /// their RRSIGs.
    public init(_ text: String) {
        var current: Substring? = nil
        var block = Block()
        let utf8 = text.utf8
        var start = utf8.startIndex
        func flush() {
            if let c = current { blocks[c] = block }
            current = nil
            block = Block()
        }
        while start < utf8.endIndex {
            let end = utf8[start...].firstIndex(of: 10) ?? utf8.endIndex
            defer { start = end < utf8.endIndex ? utf8.index(after: end) : end }
            guard start < end, utf8[start] != UInt8(ascii: ";"), utf8[start] != UInt8(ascii: "$") else { continue }
            var tabs: [String.Index] = []
            var i = start
            while i < end && tabs.count < 4 {
                if utf8[i] == 9 { tabs.append(i) }
                i = utf8.index(after: i)
            }
            guard tabs.count == 4 else { continue }
            let line = text[start..<end]
            if text[utf8.index(after: tabs[2])..<tabs[3]] == "RRSIG" {
                if current != nil { block.signatures.append(line) }
                continue
            }
            let key = text[start..<tabs[3]]
            if key != current {
                flush()
                current = key
            }
            block.lines.append(line)
        }
        flush()
    }

    /// The block key of a record line (`owner\tTTL\tIN\tTYPE\trdata`).
    public static func key(_ line: String) -> Substring {
        var tabs = 0
        for i in line.utf8.indices where line.utf8[i] == 9 {
            tabs += 1
            if tabs == 4 { return line[..<i] }
        }
        return Substring(line)
    }

    /// Parses an RRSIG line's fields (nil if it is not one mailkeys could have written).
    public static func signature(_ line: Substring) -> Signature? {
        var tabs = 0
        var rdata = line.utf8.endIndex
        for i in line.utf8.indices where line.utf8[i] == 9 {
            tabs += 1
            if tabs == 4 {
                rdata = line.utf8.index(after: i)
                break
            }
        }
        let f = line.utf8[rdata...].split(separator: 32, maxSplits: 8)
        guard f.count == 9 else { return nil }
        func number(_ s: Substring.UTF8View.SubSequence) -> Int? {
            guard !s.isEmpty, s.count <= 10 else { return nil }
            var v = 0
            for b in s {
                guard (0x30...0x39).contains(b) else { return nil }
                v = v * 10 + Int(b - 0x30)
            }
            return v
        }
        guard let alg = number(f[1]), let tag = number(f[6]), tag <= 0xFFFF,
            let exp = DNSSECWire.parseTime(Substring(f[4])), let inc = DNSSECWire.parseTime(Substring(f[5]))
        else { return nil }
        return Signature(algorithm: alg, keyTag: UInt16(tag), inception: inc, expiration: exp, line: line)
    }
}
