/// What the error of every layer offers (``CoreError``, `DNSError`, `StoreError`, `HomeError`):
/// a stable code, one line a person can act on, and structured context.
public protocol MailKeysError: Error, CustomStringConvertible, Sendable {
    /// `layer.code`, e.g. `home.locked` or `store.corrupt`: stable across releases, for scripts,
    /// logs and exit statuses to match on.
    var id: String { get }
    /// One line for a person: what failed and what to do.
    var reason: String { get }
    /// What the error is about, as key/value pairs (e.g. `domain`, `path`, `cause` for the id of
    /// a lower layer's error it wraps); empty when the reason says it all.
    var context: [String: String] { get }
}

extension MailKeysError {
    public var description: String { reason }

    /// The context of a wrapper of this error: its own, with this error's id as `cause`.
    public var wrappedContext: [String: String] { context.merging(["cause": id]) { own, _ in own } }
}
