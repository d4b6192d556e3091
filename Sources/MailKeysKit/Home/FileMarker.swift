import Foundation

/// What `stat` says about a file, as text: size, modification and change times to the
/// nanosecond, inode. Any write, rename into place, `touch` or `chmod` changes it, without
/// reading the file; "-" when there is no file.
enum FileMarker {
    static func of(_ path: String) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { return "-" }
        return text(st)
    }

    /// The marker of `name` in the open directory `dir` (following a link, as `stat` does),
    /// without resolving the directory's path again.
    static func of(_ name: String, in dir: Int32) -> String {
        var st = stat()
        guard fstatat(dir, name, &st, 0) == 0 else { return "-" }
        return text(st)
    }

    private static func text(_ st: stat) -> String {
        "\(st.st_size).\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec).\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec).\(st.st_ino)"
    }

    /// The running program's marker: a new build or install of mailkeys changes it.
    static let program = of("/proc/self/exe")
}
