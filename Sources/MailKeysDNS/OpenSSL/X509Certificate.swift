import COpenSSL
import Foundation
import MailKeysCore

/// An `X509` owned by Swift.
final class X509Certificate {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_free(pointer) }
}
