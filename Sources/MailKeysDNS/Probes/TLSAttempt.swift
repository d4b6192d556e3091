import COpenSSL
import Foundation
import MailKeysCore

/// One STARTTLS handshake with chosen client settings, as a TLS scanner makes many: the range
/// of versions, the cipher suites, groups and signature algorithms offered. OpenSSL's security
/// level is 0 so that old versions and weak suites can be offered (to find out whether the
/// server accepts them); nothing is verified here.
struct TLSAttempt {
    var minVersion = Int32(TLS1_VERSION)
    var maxVersion = Int32(TLS1_3_VERSION)
    /// The TLS 1.0–1.2 suites offered, an OpenSSL cipher string.
    var ciphers = TLSAttempt.everyCipher
    /// The TLS 1.3 suites offered.
    var suites = TLSAttempt.everySuite13
    /// The groups offered (supported_groups / key shares); nil: OpenSSL's defaults.
    var groups: String?
    /// The signature algorithms offered; nil: OpenSSL's defaults.
    var sigalgs: String?

    /// Every TLS 1.0–1.2 suite this OpenSSL can speak that needs no pre-shared key or password.
    static let everyCipher = "ALL:COMPLEMENTOFALL:!PSK:!SRP:@SECLEVEL=0"
    /// Every TLS 1.3 suite of RFC 8446 that OpenSSL implements.
    static let everySuite13 =
        "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"
    /// Every group a server might choose, weak ones included.
    static let everyGroup =
        "X25519:X448:P-256:P-384:P-521:secp224r1:secp192r1:secp256k1:brainpoolP256r1:brainpoolP384r1:brainpoolP512r1:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"

    /// Connects to `address`, says STARTTLS and shakes hands with SNI `host`. Returns what
    /// `inspect` reads from the finished connection, or nil when the server refuses the
    /// handshake (an alert or a closed connection); throws when the SMTP side fails (nothing
    /// listens, no STARTTLS) or OpenSSL refuses the settings.
    func run<T>(
        host: DomainName,
        address: ServerAddress,
        timeout: Int,
        inspect: (OpaquePointer) throws -> T
    ) throws -> T? {
        let fd = try SMTPProbe.startTLSSocket(to: address, timeout: timeout)
        defer { close(fd) }
        let ssl = try TLSConnection(settings: self, host: host)
        SSL_set_fd(ssl.pointer, fd)
        guard SSL_connect(ssl.pointer) == 1 else {
            ERR_clear_error()
            return nil
        }
        defer { SSL_shutdown(ssl.pointer) }
        return try inspect(ssl.pointer)
    }

    /// Like ``run(host:address:timeout:inspect:)`` but writes the raw bytes `hello` after
    /// STARTTLS instead of an OpenSSL handshake and returns what the server sends back (up to
    /// `limit` bytes or the first pause), for the checks OpenSSL's client cannot make.
    static func raw(_ hello: [UInt8], address: ServerAddress, timeout: Int, limit: Int = 16384) throws -> [UInt8] {
        let fd = try SMTPProbe.startTLSSocket(to: address, timeout: timeout)
        defer { close(fd) }
        guard send(fd, hello, hello.count, 0) == hello.count else {
            throw DNSError(.unreadable, "SMTP \(address): send failed")
        }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while out.count < limit {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            out += buffer[0..<n]
            if TLSRecords.complete(out) { break }
        }
        return out
    }
}

/// An `SSL` (with its own `SSL_CTX`) owned by Swift, set up from a ``TLSAttempt``.
final class TLSConnection {
    let context: OpaquePointer
    let pointer: OpaquePointer

    init(settings: TLSAttempt, host: DomainName) throws {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw DNSError(.unsupported, "OpenSSL: no TLS context")
        }
        guard let ssl = SSL_new(ctx) else {
            SSL_CTX_free(ctx)
            throw DNSError(.unsupported, "OpenSSL: no TLS connection")
        }
        context = ctx
        pointer = ssl
        // A server without RFC 5746 is still scanned (and renegotiated with): the scan reports it.
        let legacyServerConnect: UInt64 = 1 << 2
        let unsafeLegacyRenegotiation: UInt64 = 1 << 18
        _ = SSL_set_options(ssl, legacyServerConnect | unsafeLegacyRenegotiation)
        _ = mk_SSL_set_min_proto_version(ssl, settings.minVersion)
        _ = mk_SSL_set_max_proto_version(ssl, settings.maxVersion)
        // A list with no suite of a version is refused by OpenSSL; the version range decides.
        _ = SSL_set_cipher_list(ssl, settings.ciphers)
        _ = SSL_set_ciphersuites(ssl, settings.suites)
        if let groups = settings.groups, mk_SSL_set1_groups_list(ssl, groups) != 1 {
            throw DNSError(.unsupported, "OpenSSL: groups \(groups): \(openSSLError())")
        }
        if let sigalgs = settings.sigalgs, mk_SSL_set1_sigalgs_list(ssl, sigalgs) != 1 {
            throw DNSError(.unsupported, "OpenSSL: signature algorithms \(sigalgs): \(openSSLError())")
        }
        _ = mk_SSL_set_tlsext_host_name(ssl, host.description)
    }

    deinit {
        SSL_free(pointer)
        SSL_CTX_free(context)
    }
}
