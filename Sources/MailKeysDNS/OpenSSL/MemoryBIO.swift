import COpenSSL
import Foundation
import MailKeysCore

/// A memory BIO owned by Swift.
final class MemoryBIO {
    let pointer: OpaquePointer
    init() throws {
        guard let b = BIO_new(BIO_s_mem()) else { throw DNSError(.unreadable, "OpenSSL: BIO_new failed") }
        pointer = b
    }
    /// A BIO holding a copy of `text`.
    convenience init(_ text: String) throws {
        try self.init()
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { BIO_write(pointer, $0.baseAddress, Int32($0.count)) }
        guard n == bytes.count else { throw DNSError(.unreadable, "OpenSSL: BIO_write failed") }
    }
    deinit { BIO_free(pointer) }

    /// Everything written so far.
    var contents: String {
        var out = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = BIO_read(pointer, &buffer, Int32(buffer.count))
            if n <= 0 { break }
            out += buffer[0..<Int(n)]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
