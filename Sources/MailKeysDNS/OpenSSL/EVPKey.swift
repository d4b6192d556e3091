import COpenSSL
import Foundation
import MailKeysCore

/// An `EVP_PKEY` owned by Swift.
final class EVPKey {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_free(pointer) }
}
