import Foundation
import Testing

/// Permissions are enforced, not assumed: whatever the umask, mailkeys makes nothing that others
/// may write or the world may read in Keys/; and a home whose key directories or private keys
/// were opened up by hand is refused with one line that names the path and the chmod that fixes
/// it (and the chmod it names does).
@Suite struct PermissionTests {
    static func mode(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func umaskZeroMakesNothingOthersMayWriteOrTheWorldMayRead() throws {
        let home = try Support.scratch()
        let bin = try Support.binary
        let args = (["init", "--home", home.path, "--now", Support.now, "--simulate"] + Support.exampleInit).map {
            "'\($0)'"
        }.joined(
            separator: " "
        )
        let r = try Support.exec(
            "/bin/sh",
            ["-c", "umask 000 && '\(bin)' \(args) && '\(bin)' tick --home '\(home.path)' --now '\(Support.now)'"]
        )
        #expect(r.status == 0, "\(r.stderr)")
        var checked = 0
        let e = FileManager.default.enumerator(atPath: home.path)
        while let rel = e?.nextObject() as? String {
            let path = home.appendingPathComponent(rel).path
            let m = Self.mode(path)
            checked += 1
            #expect(m & 0o022 == 0, "\(rel) is writable by group or others (\(String(m, radix: 8)))")
            // Signer tables and public DNSKEY files hold nothing secret.
            if rel.hasPrefix("Keys/") && !rel.hasPrefix("Keys/opendkim") && !rel.hasPrefix("Keys/rspamd")
                && !rel.hasSuffix(".key")
            {
                #expect(m & 0o004 == 0, "\(rel) is readable by everyone (\(String(m, radix: 8)))")
            }
        }
        #expect(checked > 15)
        #expect(Self.mode(home.appendingPathComponent("Keys").path) == 0o700)
    }

    @Test func openedUpKeysAreRefusedWithTheChmodThatFixesThem() throws {
        let home = try Support.exampleHome()
        let dkim = try #require(
            try FileManager.default.contentsOfDirectory(
                atPath: home.appendingPathComponent("Keys/dkim/example.org").path
            ).first {
                $0.hasSuffix(".pem")
            }
        )
        let dnssec = try #require(
            try FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("Keys/dnssec").path).first {
                $0.hasSuffix(".private")
            }
        )
        let cases: [(String, Int, String)] = [
            ("Keys", 0o777, "is writable by its group and everyone"),
            ("Keys", 0o755, "can be listed by everyone"),
            ("Keys/dkim", 0o770, "is writable by its group"),
            ("Keys/dkim/example.org/\(dkim)", 0o644, "is readable by everyone"),
            ("Keys/dnssec/\(dnssec)", 0o666, "is writable by its group and everyone"),
            ("Keys/mailkeys.sqlite", 0o646, "is writable by everyone"),
        ]
        for (rel, bad, message) in cases {
            let path = home.appendingPathComponent(rel).path
            let good = Self.mode(path)
            #expect(chmod(path, mode_t(bad)) == 0)
            try BadInputTests.expectRefused(
                home,
                ["tick", "--home", home.path, "--now", Support.now],
                message: "\(rel) \(message)",
                status: 77
            )
            // The line names the fix; applying it makes the home usable again.
            let r = try Support.mailkeys(["tick", "--home", home.path, "--now", Support.now])
            let fix = try #require(
                r.stderr.range(of: "fix it with: ").map {
                    String(r.stderr[$0.upperBound...]).trimmingCharacters(in: .newlines)
                }
            )
            let parts = fix.split(separator: " ", maxSplits: 2).map(String.init)
            #expect(parts.count == 3 && parts[0] == "chmod" && parts[2] == path, "\(fix)")
            #expect(try Support.exec("/bin/chmod", [parts[1], path]).status == 0)
            let after = try Support.mailkeys(["tick", "--home", home.path, "--now", Support.now])
            #expect(after.status == 0, "\(rel) after \(fix): \(after.stderr)")
            #expect(chmod(path, mode_t(good)) == 0)
        }
    }
}
