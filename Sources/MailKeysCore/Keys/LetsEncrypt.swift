import Foundation

/// Let's Encrypt's issuing intermediates of generation Y (active YE1/YE2, YR1/YR2; backup
/// YE3/YR3, which may start issuing at any time): the SHA-256 of each SubjectPublicKeyInfo, the
/// data of a `2 1 1` record. The certificates are in `Data/letsencrypt-intermediates/`; a test
/// recomputes these values from them with openssl.
public enum LetsEncrypt {
    public static let intermediates: [(name: String, type: TLSKeyType, spki: String)] = [
        ("YE1", .ecdsa, "6ebcefb4210b088654a38b03fea3d7d1c711b4fb1ddc363a45f9b1a4e53da01e"),
        ("YE2", .ecdsa, "b3fb5d00e994cddf2cc9a4eea9f806bc5727e83cc0e4299bf956f2d524fe5376"),
        ("YE3", .ecdsa, "a698a20824be04e47a1a33c4fa488731be92011f23a31e900e2ca26c9c2acfce"),
        ("YR1", .rsa, "2e8307068b6db620e4a39d068b5dee5d6ef5788cbb2c0b6d23ead84fcc17178c"),
        ("YR2", .rsa, "9d637b3d27a9e570d07607b9ccadb80a70915c7af72afce12841b1b1da825fd1"),
        ("YR3", .rsa, "51aaa87d984b559ac69e929f888a022d832e089ff4dba0a412b5101bca4bc799"),
    ]

    /// The `2 1 1` data for each key type.
    public static var issuers: [TLSKeyType: [String]] {
        Dictionary(grouping: intermediates, by: \.type).mapValues { $0.map(\.spki) }
    }
}
