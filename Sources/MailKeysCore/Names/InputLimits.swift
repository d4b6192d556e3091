/// The sizes mailkeys accepts from files and the command line. Each is far above what a real
/// home needs and low enough that a bad or hostile input fails fast with one short line
/// instead of exhausting the stack (deep TOML keys crash the parser) or flooding the log.
public enum InputLimits {
    /// `mailkeys.toml`, checked before it is parsed. The policy of one domain is about 3 KB.
    public static let policyFileBytes = 1 << 20
    /// One string value of the policy, in characters. The longest real values are paths (Linux
    /// PATH_MAX is 4096) and SPF or DMARC text: a TXT record's RDATA is at most 65535 octets
    /// (RFC 1035 §3.2.1), but an SPF record should fit a 512-octet UDP answer (RFC 7208 §3.4).
    public static let policyString = 4096
    /// One key of the policy, in characters: the longest real keys are domain names (253).
    public static let policyKey = 256
    /// Dotted parts of one TOML key or table header (`[domains."example.org".dkim]` has 3).
    public static let keySegments = 16
    /// Inline arrays and tables inside each other (`rua = ["..."]` is 1).
    public static let nesting = 16
    /// One PEM file (`tls import --cert/--chain/--key`, certbot's `fullchain.pem`, `privkey.pem`);
    /// a full chain of four RSA-4096 certificates is about 10 KB.
    public static let pemBytes = 1 << 20

    /// `1 MiB`, `4096 bytes`: a size as the limits are written in messages.
    public static func bytes(_ n: Int) -> String {
        n >= 1 << 20 && n % (1 << 20) == 0 ? "\(n >> 20) MiB" : "\(n) bytes"
    }
}
