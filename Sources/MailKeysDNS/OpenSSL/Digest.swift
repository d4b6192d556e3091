import COpenSSL
import Foundation

/// Digests through OpenSSL: whole zone files (the core's pure-Swift SHA-256 is for short
/// inputs; a signed zone can be tens of megabytes), SPKI and certificate hashes, NSEC3 owners.
public enum Digest {
    /// The digest of `bytes` with `md` (`EVP_sha256()`, `EVP_sha1()`).
    static func digest(_ bytes: UnsafeRawBufferPointer, _ md: OpaquePointer?) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        var size: UInt32 = 0
        _ = EVP_Digest(bytes.baseAddress, bytes.count, &out, &size, md, nil)
        return Array(out.prefix(Int(size)))
    }

    /// Lower-case hex.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    /// The lower-case hex SHA-256 of the UTF-8 bytes of `text`.
    public static func sha256Hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex(digest(UnsafeRawBufferPointer($0), EVP_sha256())) }
    }

    /// The lower-case hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        hex(digest(UnsafeRawBufferPointer(bytes), EVP_sha256()))
    }
}
