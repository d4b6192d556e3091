import Testing

@testable import MailKeysCore

@Suite("Input limits: policy keys, strings, group names")
struct InputLimitsTests {
    @Test func groupNamesAreBoundedForDKIMAndTLS() {
        expectCoreError(.invalidPolicy, "x.group: 'gggg", "longer than a group name may be (64 characters)") {
            try GroupName.check(String(repeating: "g", count: 65), at: "x.group")
        }
        #expect(throws: Never.self) { try GroupName.check(String(repeating: "g", count: 64), at: "x.group") }
        expectCoreError(.invalidPolicy, "tls.group: 'a\\nb' is not a group name") {
            try TLSPolicy(table: PolicyTable(["group": .string("a\nb")], path: "tls"))
        }
    }

    @Test func policyKeysAndStringsAreBounded() {
        let long = String(repeating: "v", count: InputLimits.policyString + 1)
        expectCoreError(.invalidPolicy, "domains.\"example.org\".spf: a string of 4097 characters; the limit is 4096") {
            try PolicyValue.checkLimits(["domains": .table(["example.org": .table(["spf": .string(long)])])])
        }
        expectCoreError(.invalidPolicy, "domains.x.rua[1]: a string of 4097 characters") {
            try PolicyValue.checkLimits([
                "domains": .table(["x": .table(["rua": .array([.string("a"), .string(long)])])])
            ])
        }
        let key = String(repeating: "k", count: 300)
        let error = expectCoreError(.invalidPolicy, "a key of 300 characters; the limit is 256") {
            try PolicyValue.checkLimits(["domains": .table([key: .int(1)])])
        }
        #expect((error?.reason.count ?? 0) < 160)
        #expect(throws: Never.self) {
            try PolicyValue.checkLimits([
                String(repeating: "k", count: 256): .string(String(repeating: "v", count: 4096))
            ])
        }
    }
}

@Suite("PolicyText: the policy's shape before the TOML parser")
struct PolicyTextTests {
    func check(_ text: String) throws { try PolicyText.check(Array(text.utf8), name: "mailkeys.toml") }

    func refused(_ text: String, _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        expectCoreError(.invalidPolicy, fragments: fragments, sourceLocation: sourceLocation) { try check(text) }
    }

    func dotted(_ n: Int) -> String { (1...n).map { "k\($0)" }.joined(separator: ".") }

    @Test func realPoliciesPass() throws {
        try check(
            """
            # comment with [[[[ and a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s
            [domains."example.org"]
            spf = "v=spf1 mx -all"   # a.b.c
            [[domains."example.org".mx]]
            host = "mail.example.org"
            addresses = ["192.0.2.25", "2001:db8::25"]
            [domains."example.org".dmarc]
            rua = [
              "mailto:a@example.org",
              "mailto:b@example.org",
            ]
            [opendkim]
            reload = ["systemctl", "reload", "opendkim"]
            """
        )
    }

    @Test func sixteenPartsAndLevelsPassSeventeenDoNot() throws {
        try check("\(dotted(16)) = 1\n")
        try check("[\(dotted(16))]\n")
        try check("[[\(dotted(16))]]\n")
        try check("x = \(String(repeating: "[", count: 16))\(String(repeating: "]", count: 16))\n")
        refused("\n\n\(dotted(17)) = 1\n", "mailkeys.toml line 3: a key or table header of more than 16 dotted parts")
        refused("[\(dotted(17))]\n", "line 1", "more than 16 dotted parts")
        refused("[[\(dotted(17))]]\n", "line 1", "more than 16 dotted parts")
        refused("x = { \(dotted(17)) = 1 }\n", "line 1", "more than 16 dotted parts")
        refused("x = [ { a = 1 }, { \(dotted(17)) = 1 } ]\n", "line 1", "more than 16 dotted parts")
        refused("[a]  \(dotted(17)) = 1\n", "line 1", "more than 16 dotted parts")
        refused(
            "x = \(String(repeating: "[", count: 17))\n",
            "line 1: arrays or inline tables nested more than 16 deep"
        )
        refused("x = \(String(repeating: "{ a = ", count: 17))\n", "nested more than 16 deep")
        refused("x = [\n[\n" + String(repeating: "[", count: 15) + "\n", "line 3: arrays or inline tables nested")
    }

    @Test func quotedDotsAreOnePartAndDotsInValuesAreNoKeys() throws {
        try check("\"\(dotted(40))\" = 1\n'\(dotted(40))' = 1\n")
        try check("[a.\"\(dotted(40))\".b]\n")
        try check("x = 1.5\ny = \"\(dotted(40))\"\nz = [1.0, 2.0, \"a.b.c\"]\n")
        try check("x = { a = \"\(dotted(40))\", b.c = 1 }\n")
    }

    @Test func stringsAndCommentsHideBracketsAndDots() throws {
        let deep = String(repeating: "[", count: 40)
        try check("x = \"\(deep)\"\ny = '\(deep)'\n# \(deep)\n")
        try check("x = \"\"\"\n\(deep)\n\(dotted(40)) = 1\n\"\"\"\n")
        try check("x = '''\n\(deep)\n'''\n")
        try check("x = \"a \\\" \(deep)\"\n")
        try check("x = \"\"\"a\\\"\"\" \(deep) \"\"\"\n")
        try check("x = \"\"\"ends with two quotes\"\"\"\"\"\ny = 1\n")
        try check("x = \"\"\n\(dotted(16)) = \"\"\n")
        // A multi-line string's lines count: the error names the right line.
        refused("x = \"\"\"\na\nb\n\"\"\"\n\(dotted(17)) = 1\n", "line 5:")
        refused("x = \"\"\"\\\n\\\n\"\"\"\n\(dotted(17)) = 1\n", "line 4:")
    }

    /// toml++ aborts on an assertion (SIGABRT) when a header does not start like a key.
    @Test(arguments: ["[#]", "[=]", "[$]", "[\\]", "[ \\u0000]", "[[ .]]", "[", "[[\r\n"])
    func headerThatDoesNotStartWithAKeyIsRefused(header: String) {
        refused("a = 1\n\(header)\n", "line 2: a table header must start with a key")
    }

    @Test(arguments: [
        "[]", "[a]", "[ a ]", "[\t\"a b\"]", "['a']", "[[a]]", "[[ -x ]]", "[_]", "[9]", "[ [a]]", "[a] # [#]",
    ])
    func headerThatStartsWithAKeyIsLeftToTheParser(header: String) throws {
        try check("\(header)\n")
    }

    @Test func anUnterminatedStringEndsAtItsLine() {
        refused("x = \"open\n\(dotted(17)) = 1\n", "line 2:", "dotted parts")
        refused("x = 'open\n\(dotted(17)) = 1\n", "line 2:", "dotted parts")
    }

    @Test func nulBytesInvalidUTF8AndSizeAreRefused() {
        refused("a = 1\nb = 2\0\n", "line 2: a NUL byte")
        refused("a = \"x\0\"\n", "line 1: a NUL byte")
        refused("# \0\n", "line 1: a NUL byte")
        expectCoreError(.invalidPolicy, "mailkeys.toml line 2: not valid UTF-8") {
            try PolicyText.check(
                Array("a = 1\nb = \"".utf8) + [0xFF, 0xFE] + Array("\"\n".utf8),
                name: "mailkeys.toml"
            )
        }
        refused(
            String(repeating: "#", count: InputLimits.policyFileBytes + 1),
            "mailkeys.toml is 1048577 bytes; the limit is 1 MiB"
        )
        #expect(throws: Never.self) { try check(String(repeating: "#", count: InputLimits.policyFileBytes)) }
    }
}
