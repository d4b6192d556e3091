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
        try checkDirectory(home, path: url.path, mode: mode)
    }

    static func checkDirectory(_ home: Home, path: String, mode: mode_t) throws {
        let url = URL(fileURLWithPath: path, isDirectory: true)
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
        try checkPrivate(home, path: url.path, mode: mode)
    }

    static func checkPrivate(_ home: Home, path: String, mode: mode_t) throws {
        guard mode & 0o026 != 0 else { return }
        let url = URL(fileURLWithPath: path, isDirectory: false)
        if mode & 0o022 != 0 {
            throw unsafe(home, url, mode, "is writable by \(who(mode, write: true))", fix: mode & 0o740 & ~0o020)
        }
        throw unsafe(home, url, mode, "is readable by everyone", fix: mode & 0o740 & ~0o020)
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
    /// `readdir` and `fstatat` relative to each open directory (no path resolved from the root
    /// per file), about a microsecond per key.
    static func sweepKeys(_ home: Home) throws {
        let dkim = home.keysDir.path + "/dkim"
        try walk(dkim) { dirFD, name, isDirectory in
            guard isDirectory, let mode = modeAt(dirFD, name) else { return }
            let path = dkim + "/" + name
            try checkDirectory(home, path: path, mode: mode)
            try walk(path, parent: dirFD, name: name) { fd, file, _ in
                guard file.hasSuffix(".pem") || file.hasSuffix(".rspamd"), let mode = modeAt(fd, file) else { return }
                try checkPrivate(home, path: path + "/" + file, mode: mode)
            }
        }
        let dnssec = home.keysDir.path + "/dnssec"
        try walk(dnssec) { fd, file, _ in
            guard file.hasSuffix(".private"), let mode = modeAt(fd, file) else { return }
            try checkPrivate(home, path: dnssec + "/" + file, mode: mode)
        }
    }

    /// Calls `body` with the directory's descriptor, each name in it (without `.` and `..`) and
    /// whether it is a directory (links not followed); nothing when it cannot be opened. The
    /// directory is `path`, or `name` under the open directory `parent`.
    private static func walk(
        _ path: String,
        parent: Int32? = nil,
        name: String? = nil,
        _ body: (Int32, String, Bool) throws -> Void
    ) rethrows {
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        let fd = parent.map { openat($0, name!, flags) } ?? open(path, flags)
        guard fd >= 0 else { return }
        guard let d = fdopendir(fd) else {
            close(fd)
            return
        }
        defer { closedir(d) }
        while let e = readdir(d) {
            let entry = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if entry == "." || entry == ".." { continue }
            var isDirectory = Int32(e.pointee.d_type) == Int32(DT_DIR)
            if Int32(e.pointee.d_type) == Int32(DT_UNKNOWN) {  // file systems that do not say
                var st = stat()
                isDirectory = fstatat(fd, entry, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mode & S_IFMT == S_IFDIR
            }
            try body(fd, entry, isDirectory)
        }
    }

    /// The permission bits of `name` in the open directory `fd`, not following links.
    private static func modeAt(_ fd: Int32, _ name: String) -> mode_t? {
        var st = stat()
        guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return st.st_mode & 0o7777
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
