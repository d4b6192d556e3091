import Foundation
import MailKeysDNS
import Testing

/// The signed zone is written under a temporary name while it is signed: the target changes only
/// on commit, and a staged file never committed disappears.
@Suite struct StagedFileTests {
    @Test func commitReplacesTheTargetAndAbandonedFilesVanish() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("staged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("z.signed")
        try "old\n".write(to: target, atomically: true, encoding: .utf8)
        do {
            let staged = try StagedFile(target: target)
            try staged.write(Array("abandoned\n".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).count == 2)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["z.signed"])
        #expect(try String(contentsOf: target, encoding: .utf8) == "old\n")

        let staged = try StagedFile(target: target)
        try staged.write(Array("new ".utf8))
        try staged.write(Array("zone\n".utf8))
        #expect(try String(contentsOf: target, encoding: .utf8) == "old\n")
        let hash = try staged.finish()
        #expect(hash == Digest.sha256Hex("new zone\n"))
        #expect(throws: DNSError.self) { try staged.write(Array("late".utf8)) }
        try staged.commit()
        #expect(try String(contentsOf: target, encoding: .utf8) == "new zone\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["z.signed"])
    }
}
