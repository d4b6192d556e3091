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
            try PolicyValue.checkLimits(["domains": .table(["x": .table(["rua": .array([.string("a"), .string(long)])])])])
        }
        let key = String(repeating: "k", count: 300)
        let error = expectCoreError(.invalidPolicy, "a key of 300 characters; the limit is 256") {
            try PolicyValue.checkLimits(["domains": .table([key: .int(1)])])
        }
        #expect((error?.reason.count ?? 0) < 160)
        #expect(throws: Never.self) {
            try PolicyValue.checkLimits([String(repeating: "k", count: 256): .string(String(repeating: "v", count: 4096))])
        }
    }
}
