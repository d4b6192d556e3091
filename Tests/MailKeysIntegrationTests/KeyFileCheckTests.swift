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
    static func build(
        _ home: URL,
        at: String = TestClock.at("2026-11-21T12:10:00Z"),
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Int? {
        let r = try Support.mailkeys(
            ["zone", "build", "example.org", "--home", home.path, "--now", at],
            environment: ["MAILKEYS_LOG_LEVEL": "debug"]
        )
        #expect(r.status == 0, "\(r.stderr)", sourceLocation: sourceLocation)
        let line = r.stderr.split(separator: "\n").first { $0.contains("key files read and checked") }
        return line.flatMap { $0.split(separator: "files=").last }.flatMap { Int($0.prefix { $0.isNumber }) }
    }

    /// Every DKIM and DNSSEC private key file of the home.
    static func keyFiles(_ home: URL) throws -> Set<String> {
        let fm = FileManager.default
        let dkim = try fm.contentsOfDirectory(atPath: home.appendingPathComponent("Keys/dkim/example.org").path)
            .filter { $0.hasSuffix(".pem") }
        let dnssec = try fm.contentsOfDirectory(atPath: home.appendingPathComponent("Keys/dnssec").path)
            .filter { $0.hasSuffix(".private") }
        return Set(dkim + dnssec)
    }

    /// The keys of a new home, made by its first run, are not read by the next (issue 16: the
    /// first run after setup read every key of 10,000 domains).
    @Test func keysARunMadeAreNotReadAgain() throws {
        let home = try Support.exampleHome()
        #expect(try Self.keyFiles(home).count >= 3, "DKIM and DNSSEC keys")
        #expect(try Self.build(home, at: Support.now) == 0, "the first tick recorded the keys it made")
    }

    @Test func unchangedKeyFilesAreReadOnce() throws {
        let home = try Support.exampleHome()
        _ = try DKIMTests.tick(home, TestClock.at("2026-11-21T12:05:00Z"))
        #expect(try Self.keyFiles(home).count >= 3, "DKIM and DNSSEC keys")
        // The tick read the keys the home was made with and recorded them.
        #expect(try Self.build(home) == 0, "unchanged files are not read again")

        // A tick that runs the domain (at its next event) hands the DKIM files to the signers'
        // group, leaving a file already as it should be alone: the next run reads none of them
        // (keys a run makes are recorded as written: keysARunMadeAreNotReadAgain).
        let t = try Support.mailkeys([
            "tick", "--home", home.path, "--now", TestClock.at("2026-11-21T12:06:00Z"), "--json",
        ])
        let doc = try JSONSerialization.jsonObject(with: Data(t.stdout.utf8)) as? [String: Any]
        let next = try #require((doc?["next"] as? [String: String])?["at"], "\(t.stdout)")
        let before = try Self.keyFiles(home)
        _ = try DKIMTests.tick(home, next)
        let made = try Self.keyFiles(home).subtracting(before)
        #expect(try Self.build(home, at: next) == 0, "the tick at \(next) made \(made): recorded, not read")

        let rsa = DKIMTests.keyFile(home, "mk20261121r")
        chmod(rsa.path, 0o600)  // the same mode: only the change time moves
        #expect(try Self.build(home, at: next) == 1, "a file whose change time moved is read again")
        #expect(try Self.build(home, at: next) == 0)

        // A foreign key of the same size class, its modification time put back: still refused.
        let original = try #require(Support.bytes(rsa))
        let modified = try FileManager.default.attributesOfItem(atPath: rsa.path)[.modificationDate] as? Date
        try Data(try DKIMKeysForTest.rsaPEM().utf8).write(to: rsa)
        try FileManager.default.setAttributes([.modificationDate: modified as Any], ofItemAtPath: rsa.path)
        try BadInputTests.expectRefused(
            home,
            ["zone", "build", "example.org", "--home", home.path, "--now", next],
            message: "does not match the store"
        )
        try original.write(to: rsa)
        #expect(try Self.build(home, at: next) == 1, "the restored key is read and found to match")
    }
}
