import Foundation
import MailKeysCore
import MailKeysDNS

/// The paths of a mailkeys home directory.
///
/// ```
/// HOME/mailkeys.toml              the policy
/// HOME/Keys/            (0700)    the store and private keys
/// HOME/Keys/mailkeys.sqlite       the store
/// HOME/Keys/mailkeys.lock         serializes runs
/// HOME/Zones/<domain>.zone.in     user template (optional)
/// HOME/Zones/<domain>.zone        generated zone
/// HOME/Zones/<domain>.mta-sts.txt MTA-STS policy for the web server
/// ```
public struct Home: Sendable {
    public let root: URL

    /// `--home`, else `$MAILKEYS_HOME`, else `/var/lib/mailkeys`.
    public static func resolve(_ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Home
    {
        let path = option ?? environment["MAILKEYS_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/lib/mailkeys"
        return Home(root: URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL)
    }

    public init(root: URL) { self.root = root }

    public var policyFile: URL { root.appendingPathComponent("mailkeys.toml", isDirectory: false) }
    public var keysDir: URL { root.appendingPathComponent("Keys", isDirectory: true) }
    public var zonesDir: URL { root.appendingPathComponent("Zones", isDirectory: true) }
    /// Per-domain policy files, `domains/<domain>.toml`, beside `mailkeys.toml`.
    public var domainsDir: URL { root.appendingPathComponent("domains", isDirectory: true) }
    public func domainPolicyFile(_ d: DomainName) -> URL {
        domainsDir.appendingPathComponent("\(d).toml", isDirectory: false)
    }
    public var storeFile: URL { keysDir.appendingPathComponent("mailkeys.sqlite", isDirectory: false) }
    public var lockFile: URL { keysDir.appendingPathComponent("mailkeys.lock", isDirectory: false) }
    public func template(_ d: DomainName) -> URL { zonesDir.appendingPathComponent("\(d).zone.in", isDirectory: false) }
    public func zoneFile(_ d: DomainName) -> URL { zonesDir.appendingPathComponent("\(d).zone", isDirectory: false) }
    public func signedFile(_ d: DomainName) -> URL {
        zonesDir.appendingPathComponent("\(d).zone.signed", isDirectory: false)
    }
    public func mtaSTSFile(_ d: DomainName) -> URL {
        zonesDir.appendingPathComponent("\(d).mta-sts.txt", isDirectory: false)
    }

    /// A path as shown to the operator: relative to the home.
    public func show(_ url: URL) -> String {
        let r = root.path.hasSuffix("/") ? root.path : root.path + "/"
        return url.path.hasPrefix(r) ? String(url.path.dropFirst(r.count)) : url.path
    }
}
