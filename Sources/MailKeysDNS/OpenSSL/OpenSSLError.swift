import COpenSSL
import Foundation
import MailKeysCore

/// The last OpenSSL error as text, and the error queue cleared.
func openSSLError() -> String {
    let code = ERR_get_error()
    ERR_clear_error()
    guard code != 0 else { return "unknown error" }
    var buffer = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// `ERR_GET_REASON` is a macro in OpenSSL 3 headers; the reason is the low 23 bits.
func ERR_GET_REASON_shim(_ code: UInt) -> Int32 { Int32(code & 0x7FFFFF) }
