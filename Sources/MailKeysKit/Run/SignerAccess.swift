import Foundation

/// Whether a DKIM signer running as a member of a group (OpenDKIM's `opendkim`, rspamd's
/// `_rspamd`) can read a key file: every directory on the way searchable by that group or by
/// others, the file readable by it. Checked from the modes, as the kernel would decide for a
/// user who is neither root nor the owner.
enum SignerAccess {
    /// The first path component that stops the group, with the command that fixes it; nil when
    /// the file is readable.
    static func blocker(_ path: String, group: gid_t) -> String? {
        var prefix = ""
        let parts = path.split(separator: "/").map(String.init)
        for (i, part) in parts.enumerated() {
            prefix += "/" + part
            var st = stat()
            guard stat(prefix, &st) == 0 else {
                return "\(prefix) cannot be read (\(String(cString: strerror(errno))))"
            }
            let last = i == parts.count - 1
            let other: mode_t = last ? 0o004 : 0o001
            let grouped: mode_t = last ? 0o040 : 0o010
            if st.st_mode & other != 0 || (st.st_gid == group && st.st_mode & grouped != 0) { continue }
            return last
                ? "\(prefix) is not group-readable (chgrp the file, chmod g+r)"
                : "\(prefix) is not searchable by it (chmod o+x \(prefix))"
        }
        return nil
    }
}
