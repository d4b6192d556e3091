/// The RRsets and signatures of a zone file that mailkeys signed before, indexed by owner, TTL
/// and type, so that a re-sign can keep the signatures of RRsets that did not change. Scans the
/// file's bytes once and keeps byte ranges into them (a large zone has hundreds of thousands of
/// lines): no string per line, an open-addressing table of block numbers.
public struct SignedZoneIndex: Sendable {
    /// One RRSIG as written: its fields and the byte range of its line (without the newline).
    public struct Signature: Sendable, Equatable {
        public var algorithm: Int
        public var keyTag: UInt16
        public var inception: UInt32
        public var expiration: UInt32
        public var line: Range<Int>
    }

    /// An RRset's record lines (with their newlines, as one range) and its RRSIG lines.
    public struct Block: Sendable {
        /// The key: `owner\tTTL\tIN\tTYPE`, the first four fields of its lines.
        public var key: Range<Int>
        public var lines: Range<Int>
        /// Each RRSIG line after the records, without its newline.
        public var signatures: [Range<Int>]
    }

    /// The indexed file.
    public let bytes: [UInt8]
    public private(set) var blocks: [Block] = []
    private var slots: [Int32] = []

    /// Indexes `bytes`, a zone mailkeys wrote: one record per line, tab-separated owner, TTL,
    /// class, type and RDATA, every owner absolute, each RRset's lines together, followed by
    /// their RRSIGs.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var blocks: [Block] = []
        bytes.withUnsafeBufferPointer { b in
            let n = b.count
            var start = 0
            var current: Block? = nil
            while start < n {
                var end = start
                while end < n && b[end] != 10 { end += 1 }
                defer { start = end + 1 }
                guard start < end, b[start] != UInt8(ascii: ";"), b[start] != UInt8(ascii: "$") else { continue }
                var tabs = 0
                var fourth = -1
                var third = -1
                var i = start
                while i < end {
                    if b[i] == 9 {
                        tabs += 1
                        if tabs == 3 { third = i }
                        if tabs == 4 {
                            fourth = i
                            break
                        }
                    }
                    i += 1
                }
                guard fourth > 0 else { continue }
                if fourth - third == 6, b[third + 1] == UInt8(ascii: "R"), b[third + 2] == UInt8(ascii: "R"),
                    b[third + 3] == UInt8(ascii: "S"),
                    b[third + 4] == UInt8(ascii: "I"), b[third + 5] == UInt8(ascii: "G")
                {
                    current?.signatures.append(start..<end)
                    continue
                }
                if var c = current, c.signatures.isEmpty, c.lines.upperBound == start, fourth - start == c.key.count,
                    Self.equal(b, c.key.lowerBound, start, c.key.count)
                {
                    c.lines = c.lines.lowerBound..<min(end + 1, n)
                    current = c
                    continue
                }
                if let c = current { blocks.append(c) }
                current = Block(key: start..<fourth, lines: start..<min(end + 1, n), signatures: [])
            }
            if let c = current { blocks.append(c) }
        }
        self.blocks = blocks
        var size = 16
        while size < blocks.count * 2 { size *= 2 }
        slots = [Int32](repeating: -1, count: size)
        bytes.withUnsafeBufferPointer { b in
            for (k, block) in blocks.enumerated() {
                var slot = Self.hash(UnsafeBufferPointer(rebasing: b[block.key])) & (size - 1)
                while slots[slot] >= 0 { slot = (slot + 1) & (size - 1) }
                slots[slot] = Int32(k)
            }
        }
    }

    private static func equal(_ b: UnsafeBufferPointer<UInt8>, _ x: Int, _ y: Int, _ count: Int) -> Bool {
        same(b.baseAddress! + x, b.baseAddress! + y, count)
    }

    private static func same(_ x: UnsafePointer<UInt8>, _ y: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        for k in 0..<count where x[k] != y[k] { return false }
        return true
    }

    /// FNV-1a over the key's octets.
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in key { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h >> 1)
    }

    /// The block whose key is `key` (`owner\tTTL\tIN\tTYPE`), if the file has one.
    public func block(key: UnsafeBufferPointer<UInt8>) -> Block? {
        guard !blocks.isEmpty else { return nil }
        var slot = Self.hash(key) & (slots.count - 1)
        return bytes.withUnsafeBufferPointer { b in
            while slots[slot] >= 0 {
                let block = blocks[Int(slots[slot])]
                if block.key.count == key.count
                    && Self.same(b.baseAddress! + block.key.lowerBound, key.baseAddress!, key.count)
                {
                    return block
                }
                slot = (slot + 1) & (slots.count - 1)
            }
            return nil
        }
    }

    /// The block whose key is `key`.
    public func block(key: String) -> Block? {
        var key = key
        return key.withUTF8 { block(key: $0) }
    }

    /// Whether the block's record lines are exactly `lines` (each ending in a newline).
    public func linesEqual(_ block: Block, _ lines: UnsafeBufferPointer<UInt8>) -> Bool {
        block.lines.count == lines.count
            && bytes.withUnsafeBufferPointer {
                Self.same($0.baseAddress! + block.lines.lowerBound, lines.baseAddress!, lines.count)
            }
    }

    /// Parses the fields of the RRSIG line at `line` (nil if it is not one mailkeys could have
    /// written).
    public func signature(_ line: Range<Int>) -> Signature? {
        bytes.withUnsafeBufferPointer { b -> Signature? in
            var i = line.lowerBound
            var tabs = 0
            while i < line.upperBound && tabs < 4 {
                if b[i] == 9 { tabs += 1 }
                i += 1
            }
            // Fields: covered, algorithm, labels, TTL, expiration, inception, key tag, signer, signature.
            var fields: [Range<Int>] = []
            var start = i
            while i <= line.upperBound && fields.count < 8 {
                if i == line.upperBound || b[i] == 32 {
                    if i > start { fields.append(start..<i) }
                    start = i + 1
                }
                i += 1
            }
            guard tabs == 4, fields.count == 8, start < line.upperBound else { return nil }
            func number(_ r: Range<Int>) -> Int? {
                guard !r.isEmpty, r.count <= 10 else { return nil }
                var v = 0
                for k in r {
                    guard (0x30...0x39).contains(b[k]) else { return nil }
                    v = v * 10 + Int(b[k] - 0x30)
                }
                return v
            }
            func time(_ r: Range<Int>) -> UInt32? {
                DNSSECWire.parseTime(String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self))
            }
            guard let alg = number(fields[1]), let tag = number(fields[6]), tag <= 0xFFFF, let exp = time(fields[4]),
                let inc = time(fields[5])
            else { return nil }
            return Signature(algorithm: alg, keyTag: UInt16(tag), inception: inc, expiration: exp, line: line)
        }
    }
}
