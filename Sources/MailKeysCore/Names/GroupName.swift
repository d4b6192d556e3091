import Foundation

/// A Unix group named in the policy (`dkim.group`, `tls.group`).
public enum GroupName {
    /// The longest name accepted: groupadd refuses names over 32 characters; 64 leaves room for
    /// directory services.
    public static let maxLength = 64

    /// Throws unless `name` is 1 to 64 ASCII letters, digits, `-`, `_` or `.`; `at` names the key.
    public static func check(_ name: String, at: String) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        else {
            throw CoreError(.invalidPolicy, "\(at): \(Quote.short(name)) is not a group name")
        }
        guard name.count <= maxLength else {
            throw CoreError(
                .invalidPolicy,
                "\(at): \(Quote.short(name)) is longer than a group name may be (\(maxLength) characters)"
            )
        }
    }
}
