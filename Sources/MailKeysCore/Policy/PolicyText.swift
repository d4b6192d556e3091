/// Checks the raw text of `mailkeys.toml` before the TOML parser sees it.
///
/// The parser (toml++) recurses once per dotted key part: a key of a few thousand parts
/// (`a.a.a…`) overflows the stack and the process dies of SIGSEGV. It also reads the text as a C
/// string, so everything after a NUL byte would be silently ignored. This pass walks the text
/// once — skipping comments and all four kinds of strings as TOML defines them — and refuses,
/// naming the line, a file over ``InputLimits/policyFileBytes``, invalid UTF-8, a NUL byte, a key
/// or table header of more than ``InputLimits/keySegments`` dotted parts, inline arrays or
/// tables nested more than ``InputLimits/nesting`` deep, and a table header that does not start
/// with a key (`[#]`: the parser aborts on an assertion). Anything else, valid or not, is left to
/// the parser. With both bounds the parser recurses at most a few hundred levels.
public enum PolicyText {
    /// Throws a ``CoreError`` (`invalidPolicy`) whose reason starts with `name`.
    public static func check(_ bytes: [UInt8], name: String) throws {
        guard bytes.count <= InputLimits.policyFileBytes else {
            throw CoreError(
                .invalidPolicy,
                "\(name) is \(bytes.count) bytes; the limit is \(InputLimits.bytes(InputLimits.policyFileBytes))"
            )
        }
        if String(validating: bytes, as: UTF8.self) == nil {
            var line = 1
            for part in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                if String(validating: part, as: UTF8.self) == nil { break }
                line += 1
            }
            throw CoreError(.invalidPolicy, "\(name) line \(line): not valid UTF-8 (TOML files are UTF-8)")
        }
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = Scanner(bytes: buffer, name: name)
            try scanner.run()
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        let name: String
        var i = 0
        var line = 1
        /// The open inline arrays (`[`) and tables (`{`) of the current value.
        var stack: [UInt8] = []
        /// Reading a key (at the start of a statement, or inside an inline table before `=`).
        var inKey = true
        /// Reading a `[table]` or `[[array of tables]]` header.
        var inHeader = false
        /// Something other than blanks was read since the statement began (a `[` then is no header).
        var started = false
        /// Dotted parts of the key or header being read.
        var parts = 1

        init(bytes: UnsafeBufferPointer<UInt8>, name: String) {
            self.bytes = bytes
            self.name = name
        }

        func fail(_ why: String) -> CoreError { CoreError(.invalidPolicy, "\(name) line \(line): \(why)") }

        var nul: CoreError { fail("a NUL byte (TOML allows no control characters but tab)") }

        func at(_ k: Int) -> UInt8? { k < bytes.count ? bytes[k] : nil }

        /// Back to the start of a statement (after a newline outside inline values, or a header).
        mutating func statement() {
            inKey = true
            inHeader = false
            started = false
            parts = 1
        }

        mutating func run() throws {
            while i < bytes.count {
                let c = bytes[i]
                switch c {
                case 0:
                    throw nul
                case UInt8(ascii: "\n"):
                    line += 1
                    i += 1
                    if stack.isEmpty { statement() }
                case UInt8(ascii: "#"):
                    while i < bytes.count && bytes[i] != UInt8(ascii: "\n") {
                        if bytes[i] == 0 { throw nul }
                        i += 1
                    }
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    started = true
                    try skipString(quote: c)
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                    i += 1
                default:
                    try symbol(c)
                    i += 1
                }
            }
        }

        /// One byte outside strings and comments.
        mutating func symbol(_ c: UInt8) throws {
            if inKey || inHeader {
                switch c {
                case UInt8(ascii: "[") where !started && !inHeader && stack.isEmpty:
                    inHeader = true
                    started = true
                    try headerStartsWithKey()
                    if at(i + 1) == UInt8(ascii: "[") { i += 1 }
                case UInt8(ascii: "]") where inHeader:
                    if at(i + 1) == UInt8(ascii: "]") { i += 1 }
                    // Only a comment may follow; anything else is read as a key (and refused by
                    // the parser), so nothing after a header escapes the count.
                    inHeader = false
                    parts = 1
                case UInt8(ascii: "."):
                    parts += 1
                    if parts > InputLimits.keySegments {
                        throw fail(
                            "a key or table header of more than \(InputLimits.keySegments) dotted parts (the limit)"
                        )
                    }
                case UInt8(ascii: "=") where !inHeader:
                    inKey = false
                    parts = 1
                case UInt8(ascii: "}") where stack.last == UInt8(ascii: "{"):
                    // `{}` or a trailing `,`: the inline table closes where a key could start.
                    stack.removeLast()
                    inKey = false
                default:
                    started = true
                }
                return
            }
            switch c {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                stack.append(c)
                if stack.count > InputLimits.nesting {
                    throw fail("arrays or inline tables nested more than \(InputLimits.nesting) deep (the limit)")
                }
                if c == UInt8(ascii: "{") {
                    inKey = true
                    parts = 1
                }
            case UInt8(ascii: "]"):
                if stack.last == UInt8(ascii: "[") { stack.removeLast() }
            case UInt8(ascii: "}"):
                if stack.last == UInt8(ascii: "{") { stack.removeLast() }
            case UInt8(ascii: ",") where stack.last == UInt8(ascii: "{"):
                inKey = true
                parts = 1
            default:
                break
            }
        }

        /// toml++ asserts (and, built without assertions, assumes) that a table header's key
        /// starts with a bare-key character or a quote: `[#]`, `[=]` or `[` at the end of a line
        /// abort the process. The header at `i` must start like a key, or be `[]` (the parser
        /// reports that one).
        func headerStartsWithKey() throws {
            func blanks(_ k: Int) -> Int {
                var k = k
                while at(k) == UInt8(ascii: " ") || at(k) == UInt8(ascii: "\t") { k += 1 }
                return k
            }
            var k = blanks(i + 1)
            if at(k) == UInt8(ascii: "[") { k = blanks(k + 1) }
            guard let c = at(k) else { return }
            let bare =
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "_")
                || c == UInt8(ascii: "-")
            guard bare || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "]") else {
                throw fail("a table header must start with a key, as in [domains.\"example.org\"]")
            }
        }

        /// Skips a basic (`"`), literal (`'`) or multi-line (`"""`, `'''`) string, counting its
        /// lines. An unterminated single-line string ends at the newline (the parser reports it).
        mutating func skipString(quote q: UInt8) throws {
            let basic = q == UInt8(ascii: "\"")
            if at(i + 1) == q && at(i + 2) == q {
                i += 3
                while i < bytes.count {
                    let c = bytes[i]
                    if c == 0 { throw nul }
                    if c == UInt8(ascii: "\n") { line += 1 }
                    if basic && c == UInt8(ascii: "\\") {
                        if at(i + 1) == UInt8(ascii: "\n") { line += 1 }
                        if at(i + 1) == 0 { throw nul }
                        i += 2
                        continue
                    }
                    if c == q && at(i + 1) == q && at(i + 2) == q {
                        i += 3
                        // Up to two more quotes belong to the content (`""""` ends with one `"`).
                        var extra = 0
                        while extra < 2 && at(i) == q {
                            i += 1
                            extra += 1
                        }
                        return
                    }
                    i += 1
                }
                return
            }
            i += 1
            while i < bytes.count {
                let c = bytes[i]
                if c == 0 { throw nul }
                if c == UInt8(ascii: "\n") { return }
                if basic && c == UInt8(ascii: "\\") {
                    if at(i + 1) == 0 { throw nul }
                    // A backslash before the newline does not continue a single-line string.
                    i += at(i + 1) == UInt8(ascii: "\n") ? 1 : 2
                    continue
                }
                i += 1
                if c == q { return }
            }
        }
    }
}
