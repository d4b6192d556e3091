import Foundation
import Testing

@testable import MailKeysStore

/// `PRAGMA quick_check` reads every page of the store, so it runs before a run's first write
/// only when the store file is not exactly as a run that had checked it left it: a run that
/// closes a sound store records the file (`mailkeys.sqlite.checked`); a hand edit (even one
/// that puts the modification time back), a copy, or a write-ahead log left by a run that died
/// makes the next write check the whole file again.
@Suite struct StoreCheckTests {
    /// A new store file in its own directory, with one write made and closed.
    static func closedStore() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mk-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("mailkeys.sqlite").path
        let store = try Store.create(at: path)
        try store.transaction { tx in
            for i in 0..<400 { try tx.ensureDomain(try name("d\(i).example"), at: t0) }
        }
        store.close()
        return path
    }

    /// Opens the store at `path`, makes one write, closes it; how many checks ran.
    static func write(_ path: String) throws -> Int {
        let store = try Store.open(at: path)
        try store.transaction { tx in try tx.ensureDomain(try name("new\(UUID().uuidString.prefix(8)).example"), at: t0)
        }
        let n = store.checksRun
        store.close()
        return n
    }

    @Test func aStoreAsTheLastRunLeftItIsNotReadWhole() throws {
        let path = try Self.closedStore()
        let marker = try FileManager.default.attributesOfItem(atPath: path + ".checked")
        #expect((marker[.posixPermissions] as? Int) == 0o600)
        #expect(try Self.write(path) == 0)
        #expect(try Self.write(path) == 0)
        // Touched, copied elsewhere, or with a log left over: checked again, then trusted again.
        #expect(utimes(path, nil) == 0)
        #expect(try Self.write(path) == 1)
        #expect(try Self.write(path) == 0)
        let copy = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("copy").path
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: path, toPath: copy + "/mailkeys.sqlite")
        try FileManager.default.copyItem(atPath: path + ".checked", toPath: copy + "/mailkeys.sqlite.checked")
        #expect(try Self.write(copy + "/mailkeys.sqlite") == 1)
        try Data("not empty".utf8).write(to: URL(fileURLWithPath: path + "-wal"))
        let store = try Store.open(at: path)
        #expect(!store.checked)
    }

    @Test func aHandEditThatPutsTheTimeBackIsStillChecked() throws {
        let path = try Self.closedStore()
        var st = stat()
        #expect(stat(path, &st) == 0)
        // Garbage over the last pages (rows of the domain table), then the old times back.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size - 8192)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 8192))
        try handle.close()
        var times = [st.st_atim, st.st_mtim]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let store = try Store.open(at: path)
        #expect(!store.checked)
        expectStoreError(.corrupt, "damaged", "left untouched") {
            try store.transaction { tx in try tx.ensureDomain(try name("late.example"), at: t0) }
        }
        store.close()
        #expect(store.checksRun == 1)
    }
}
