import Testing

@testable import MailKeysCore

/// `PolicyValue.canonical`: equal values give equal text whatever the key order, and no two
/// different values share a text (strings carry their length, so content cannot pose as
/// structure).
@Suite struct PolicyCanonicalTests {
    @Test func keyOrderDoesNotMatterButEveryValueDoes() {
        let a = PolicyValue.table(["ttl": .string("1h"), "mx": .array([.table(["host": .string("m")])])])
        let b = PolicyValue.table(["mx": .array([.table(["host": .string("m")])]), "ttl": .string("1h")])
        #expect(a.canonical == b.canonical)
        let variants: [PolicyValue] = [
            .table(["ttl": .string("2h"), "mx": .array([.table(["host": .string("m")])])]),
            .table(["ttl": .string("1h"), "mx": .array([])]),
            .table(["ttl": .string("1h")]),
            .table(["ttl": .int(1)]),
            .table(["ttl": .bool(true)]),
            .table(["ttl": .double(1)]),
            .table(["ttl": .string("1h,"), "mx": .array([.table(["host": .string("m")])])]),
            .table(["tt": .string("l1h"), "mx": .array([.table(["host": .string("m")])])]),
        ]
        let texts = [a.canonical] + variants.map(\.canonical)
        #expect(Set(texts).count == texts.count, "\(texts)")
    }
}
