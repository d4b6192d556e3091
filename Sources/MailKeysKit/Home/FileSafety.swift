import Foundation
import MailKeysCore

/// Permissions enforced, not assumed: a home whose key directories others may write, or whose
/// private keys others may read or write, is refused with one line naming the path and the
/// `chmod` that fixes it (mailkeys writes its own files with explicit modes whatever the umask;
/// this catches what was changed by hand, restored from a backup, or made by an older version).
enum FileSafety {
    /// `Keys/` and the directories holding private keys: nobody but the owner writes them, and
    /// the world does not list them (`0711` for a signer group is fine: traverse only).
    static func checkDirectory(_ home: Home, _ url: URL) throws {
        guard let mode = mode(url) else { return }
        if mode & 0o022 != 0 {
            throw unsafe(
                home,
                url,
                mode,
                "is writable by \(who(mode, write: true)), who could swap the keys",
                fix: mode & ~0o022 & ~0o004
            )
        }
        if mode & 0o004 != 0 { throw unsafe(home, url, mode, "can be listed by everyone", fix: mode & ~0o004) }
    }

    /// A private key file (and the store): no write but the owner's, no read for the world
    /// (group read is how `dkim.group` lets a signer in).
    static func checkPrivate(_ home: Home, _ url: URL) throws {
        guard let mode = mode(url) else { return }
        if mode & 0o022 != 0 {
            throw unsafe(home, url, mode, "is writable by \(who(mode, write: true))", fix: mode & 0o740 & ~0o020)
        }
        if mode & 0o004 != 0 { throw unsafe(home, url, mode, "is readable by everyone", fix: mode & 0o740 & ~0o020) }
    }

    /// The checks every run makes before it reads a key: `Keys/`, the store, and the key
    /// directories that exist.
    static func checkHome(_ home: Home) throws {
        try checkDirectory(home, home.keysDir)
        try checkPrivate(home, home.storeFile)
        for sub in ["dkim", "dnssec", "tls"] {
            try checkDirectory(home, home.keysDir.appendingPathComponent(sub, isDirectory: true))
        }
    }

    /// Every private key file of every domain checked as ``checkPrivate(_:_:)`` does, and the
    /// DKIM key directories as ``checkDirectory(_:_:)``, without reading the store: a run that
    /// leaves a domain alone still refuses a key someone opened up. One directory walk with
    /// `readdir` and `fstatat`, a few microseconds per key.
    static func sweepKeys(_ home: Home) throws {
        let dkim = home.keysDir.appendingPathComponent("dkim", isDirectory: true)
        for (name, isDirectory) in entries(dkim) where isDirectory {
            let dir = dkim.appendingPathComponent(name, isDirectory: true)
            try checkDirectory(home, dir)
            for (file, _) in entries(dir) where file.hasSuffix(".pem") || file.hasSuffix(".rspamd") {
                try checkPrivate(home, dir.appendingPathComponent(file))
            }
        }
        let dnssec = home.keysDir.appendingPathComponent("dnssec", isDirectory: true)
        for (file, _) in entries(dnssec) where file.hasSuffix(".private") {
            try checkPrivate(home, dnssec.appendingPathComponent(file))
        }
    }

    /// The names in a directory (without `.` and `..`) and whether each is a directory (not
    /// following links); none when it cannot be opened.
    private static func entries(_ dir: URL) -> [(String, Bool)] {
        guard let d = opendir(dir.path) else { return [] }
        defer { closedir(d) }
        var out: [(String, Bool)] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            out.append((name, Int32(e.pointee.d_type) == Int32(DT_DIR)))
        }
        return out
    }

    static func mode(_ url: URL) -> mode_t? {
        var st = stat()
        guard lstat(url.path, &st) == 0 else { return nil }
        return st.st_mode & 0o7777
    }

    static func who(_ mode: mode_t, write: Bool) -> String {
        [mode & 0o020 != 0 ? "its group" : nil, mode & 0o002 != 0 ? "everyone" : nil].compactMap { $0 }.joined(
            separator: " and "
        )
    }

    static func unsafe(_ home: Home, _ url: URL, _ mode: mode_t, _ what: String, fix: mode_t) -> HomeError {
        HomeError(
            .unsafe,
            "\(home.show(url)) \(what) (mode \(String(mode, radix: 8))): nothing was done; fix it with: chmod \(String(fix, radix: 8)) \(url.path)"
        )
    }
}
