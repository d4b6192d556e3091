import Foundation
import MailKeysCore
import MailKeysStore
import Testing

@testable import MailKeysKit

/// The policy index reads a domain file only when it changed since a run recorded it (or what
/// it is merged with changed), and the files of the domains a run asks for; the facts of the
/// others come from the store.
@Suite struct PolicyIndexTests {
    static func domain(_ name: String, mx: String? = nil, rua: String? = nil) -> String {
        let host = mx ?? "mail.\(name)"
        let glue = host.hasSuffix(".\(name)") ? "addresses = [\"192.0.2.25\"]" : ""
        return """
            [[ns]]
            name = "ns1.\(name)"
            addresses = ["192.0.2.53"]

            [[ns]]
            name = "ns2.example.net"

            [[mx]]
            host = "\(host)"
            \(glue)

            [dmarc]
            rua = ["\(rua ?? "mailto:d@\(name)")"]

            """
    }

    static func home() throws -> Home {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mk-index-\(UUID().uuidString.prefix(8))"
        )
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("domains"),
            withIntermediateDirectories: true
        )
        try "[opendkim]\nenabled = false\n".write(
            to: root.appendingPathComponent("mailkeys.toml"),
            atomically: true,
            encoding: .utf8
        )
        return Home(root: root)
    }

    static func write(_ home: Home, _ name: String, _ text: String) throws {
        try text.write(to: home.domainsDir.appendingPathComponent("\(name).toml"), atomically: true, encoding: .utf8)
    }

    static func record(_ index: PolicyIndex, _ store: Store) throws {
        try store.savePolicyFiles(index.changed, removed: index.removed)
    }

    @Test func unchangedFilesAreNotReadAgain() throws {
        let home = try Self.home()
        let store = try Store.inMemory()
        try Self.write(home, "a.example", Self.domain("a.example", rua: "mailto:r@b.example"))
        try Self.write(home, "b.example", Self.domain("b.example", mx: "mx.a.example"))
        var index = try PolicyIndex.load(home, store: store)
        #expect(index.parsed.domains.map(\.name.description) == ["a.example", "b.example"])
        #expect(index.changed.map(\.stem).sorted() == ["a.example", "b.example"])
        try Self.record(index, store)

        index = try PolicyIndex.load(home, store: store)
        #expect(index.parsed.domains.isEmpty && index.changed.isEmpty)
        #expect(index.names.map(\.description) == ["a.example", "b.example"])
        // What other domains need comes from the facts: b's zone authorises a's reports, and
        // a certificate for mx.a.example concerns b.
        #expect(
            index.reportAuthorisations.needed(in: try DomainName("b.example")).map(\.source.description) == [
                "a.example"
            ]
        )
        #expect(index.listing([try DomainName("mx.a.example")]) == [try DomainName("b.example")])
        let policy = try index.policy([try DomainName("a.example")])
        #expect(policy.domains.map(\.name.description) == ["a.example"])
        #expect(!policy.reportAuthorisations.needed(in: try DomainName("b.example")).isEmpty)
        let digest = index.digest

        // One file changed: that file is read; the others keep their hash.
        try Self.write(home, "b.example", Self.domain("b.example", mx: "mail.b.example"))
        index = try PolicyIndex.load(home, store: store)
        #expect(index.changed.map(\.stem) == ["b.example"])
        #expect(index.listing([try DomainName("mx.a.example")]).isEmpty)
        #expect(index.digest.domains[try DomainName("a.example")] == digest.domains[try DomainName("a.example")])
        #expect(index.digest.domains[try DomainName("b.example")] != digest.domains[try DomainName("b.example")])
        try Self.record(index, store)

        // [defaults] reaches every file; a file removed is forgotten.
        try (try String(contentsOf: home.policyFile, encoding: .utf8) + "\n[defaults]\nttl = \"2h\"\n").write(
            to: home.policyFile,
            atomically: true,
            encoding: .utf8
        )
        try FileManager.default.removeItem(at: home.domainsDir.appendingPathComponent("a.example.toml"))
        index = try PolicyIndex.load(home, store: store)
        #expect(index.changed.map(\.stem) == ["b.example"] && index.removed == ["a.example"])
        #expect(index.parsed.domains.first?.defaultTTL == 7200)
    }

    @Test func aBadFileOrAnUnknownDomainIsAnErrorNamingIt() throws {
        let home = try Self.home()
        let store = try Store.inMemory()
        try Self.write(home, "a.example", "tll = 1\n" + Self.domain("a.example"))
        let e = try #require(throws: CoreError.self) { try PolicyIndex.load(home, store: store) }
        #expect(e.reason.hasPrefix("domains/a.example.toml: tll: unknown key"), "\(e.reason)")
        try Self.write(home, "a.example", Self.domain("a.example"))
        let index = try PolicyIndex.load(home, store: store)
        let unknown = try #require(throws: CoreError.self) { try index.check("z.example") }
        #expect(unknown.reason == "unknown domain 'z.example': the policy has a.example")
    }
}
