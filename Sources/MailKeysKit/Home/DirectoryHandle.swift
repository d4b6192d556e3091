import Foundation

/// A directory kept open so that the `stat` markers of many files in it are taken relative to
/// it (``FileMarker/of(_:in:)``); closed with the handle. A directory that cannot be opened
/// gives the markers of the paths as given (missing files: "-").
final class DirectoryHandle: @unchecked Sendable {
    let path: String
    private let fd: Int32

    init(_ path: String) {
        self.path = path
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// The marker of `name` in the directory.
    func marker(_ name: String) -> String {
        fd >= 0 ? FileMarker.of(name, in: fd) : FileMarker.of(path + "/" + name)
    }
}
