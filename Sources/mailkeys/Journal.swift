import Foundation

/// Whether standard error is the systemd journal, and the syslog priority prefixes it reads:
/// systemd sets `JOURNAL_STREAM` to the device and inode of the stream it connected (see
/// systemd.exec(5)); when they are standard error's, each line starts with `<N>` (sd-daemon(3):
/// 3 error, 4 warning, 5 notice, 6 info, 7 debug), so `journalctl -p warning` shows warnings
/// and errors. Anywhere else nothing changes.
enum Journal {
    static let stderr: Bool = {
        guard let value = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }()

    /// `<priority>` on the journal, "" elsewhere.
    static func prefix(_ priority: Int) -> String { stderr ? "<\(priority)>" : "" }
}
