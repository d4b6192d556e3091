import Foundation
import Testing

/// A run reads and parses a domain's private key files only when they changed since a run last
/// found them to match the store (issue 16: on the day every domain's next DKIM key starts
/// signing, the run read every key file of 10,000 domains). Any change of a file (a rewrite, a
/// restored modification time, a `chmod`) moves its change time, so the file is read again and
/// a foreign key is still refused.
@Suite struct KeyFileCheckTests {
    /// `zone build` of example.org (a run that loads the domain's keys) with debug logging; the
    /// number of key files it read and checked.
    static func build(_ home: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int? {
        let r = try Support.mailkeys(
            ["zone", "build", "example.org", "--home", home.path, "--now", TestClock.at("2026-11-21T12:10:00Z")],
            environment: ["MAILKEYS_LOG_LEVEL": "debug"]
        )
        #expect(r.status == 0, "\(r.stderr)", sourceLocation: sourceLocation)
        let line = r.stderr.split(separator: "\n").first { $0.contains("key files read and checked") }
        return line.flatMap { $0.split(separator: "files=").last }.flatMap { Int($0.prefix { $0.isNumber }) }
    }

    @Test func unchangedKeyFilesAreReadOnce() throws {
        let home = try Support.exampleHome()
        _ = try DKIMTests.tick(home, TestClock.at("2026-11-21T12:05:00Z"))
        let dkim = try FileManager.default.contentsOfDirectory(
            atPath: home.appendingPathComponent("Keys/dkim/example.org").path
        )
        .filter { $0.hasSuffix(".pem") }
        let dnssec = try FileManager.default.contentsOfDirectory(
            atPath: home.appendingPathComponent("Keys/dnssec").path
        )
        .filter { $0.hasSuffix(".private") && $0.contains("example.org") }
        #expect(!dkim.isEmpty && !dnssec.isEmpty)
        let first = try Self.build(home)
        #expect(first != nil && first! >= 1, "the first run after the keys were made reads them")
        #expect(try Self.build(home) == 0, "unchanged files are not read again")

        let rsa = DKIMTests.keyFile(home, "mk20261121r")
        chmod(rsa.path, 0o600)  // the same mode: only the change time moves
        #expect(try Self.build(home) == 1, "a file whose change time moved is read again")
        #expect(try Self.build(home) == 0)

        // A foreign key of the same size class, its modification time put back: still refused.
        let original = try #require(Support.bytes(rsa))
        let modified = try FileManager.default.attributesOfItem(atPath: rsa.path)[.modificationDate] as? Date
        try Data(try DKIMKeysForTest.rsaPEM().utf8).write(to: rsa)
        try FileManager.default.setAttributes([.modificationDate: modified as Any], ofItemAtPath: rsa.path)
        try BadInputTests.expectRefused(home, ["tick", "--home", home.path], message: "does not match the store")
        try original.write(to: rsa)
        #expect(try Self.build(home) == 1, "the restored key is read and found to match")
    }
}
