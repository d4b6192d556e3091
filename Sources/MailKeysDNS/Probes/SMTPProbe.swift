import CLDNS
import COpenSSL
import Foundation
import MailKeysCore

/// An SMTP server's STARTTLS offer, read with OpenSSL: the TLS version and the SPKI SHA-256 of
/// every certificate it sends (leaf first), for matching against TLSA records.
public enum SMTPProbe {
    public struct Result: Sendable {
        public var tlsVersion: String
        public var spkis: [String]
    }

    /// Connects to `address`, speaks SMTP up to STARTTLS, and completes a TLS handshake with SNI
    /// `host` (no certificate verification: the caller matches the keys against TLSA).
    public static func starttls(host: DomainName, address: ServerAddress, timeout: Int = 5) throws -> Result {
        let fd = try startTLSSocket(to: address, timeout: timeout)
        defer { close(fd) }
        return try handshake(fd: fd, host: host, address: address)
    }

    /// The greeting of the SMTP server at `address` (its first reply line, code 220), after
    /// which the probe says QUIT: the server is reachable there and speaks SMTP. Throws for no
    /// connection or no reply (`unreadable`), or a reply other than 220 (`verify`: a server that
    /// answers and turns mail away).
    public static func greeting(address: ServerAddress, timeout: Int = 5) throws -> String {
        let fd = try connectedSocket(to: address, timeout: timeout)
        defer { close(fd) }
        var dialogue = Dialogue(fd: fd, address: address)
        let reply = try dialogue.reply()
        try? dialogue.send("QUIT")
        guard reply.code == "220" else {
            throw DNSError(.verify, "SMTP \(address) greets with \(Quote.short(reply.lines.first ?? ""))")
        }
        return reply.lines.first ?? ""
    }

    /// A socket connected to the SMTP server at `address` that has said 220 to STARTTLS: the
    /// next bytes on it are the client's TLS handshake. The caller closes it.
    static func startTLSSocket(to address: ServerAddress, timeout: Int) throws -> Int32 {
        let fd = try connectedSocket(to: address, timeout: timeout)
        do {
            var dialogue = Dialogue(fd: fd, address: address)
            try dialogue.startTLS()
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// A TCP socket connected to `address`, with `timeout` seconds for each send and receive;
    /// `label` starts the error message (`SMTP`, `HTTPS`).
    static func connectedSocket(to address: ServerAddress, timeout: Int, label: String = "SMTP") throws -> Int32 {
        let family = address.address.isV4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DNSError(.unreadable, "socket: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard connectSocket(fd, address) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw DNSError(.unreadable, "\(label) \(address): \(reason)")
        }
        return fd
    }

    /// `connect(2)` of `fd` to `address`, IPv4 or IPv6: 0, or -1 with `errno` set.
    private static func connectSocket(_ fd: Int32, _ address: ServerAddress) -> Int32 {
        if address.address.isV4 {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(address.port).bigEndian)
            inet_pton(AF_INET, address.address.description, &sa.sin_addr)
            return withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        var sa = sockaddr_in6()
        sa.sin6_family = sa_family_t(AF_INET6)
        sa.sin6_port = in_port_t(UInt16(address.port).bigEndian)
        inet_pton(AF_INET6, address.address.description, &sa.sin6_addr)
        return withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
    }

    /// The SMTP side of the probe on a connected socket: replies read line by line, commands sent.
    private struct Dialogue {
        let fd: Int32
        let address: ServerAddress
        var pending = [UInt8]()

        /// Greeting, EHLO and STARTTLS: returns once the server has said 220 to STARTTLS.
        mutating func startTLS() throws {
            guard try reply().code == "220" else { throw DNSError(.unreadable, "SMTP \(address): no 220 greeting") }
            try send("EHLO mailkeys.check")
            let ehlo = try reply()
            guard ehlo.code == "250" else { throw DNSError(.unreadable, "SMTP \(address): EHLO refused") }
            guard ehlo.lines.contains(where: { $0.dropFirst(4).uppercased().hasPrefix("STARTTLS") }) else {
                throw DNSError(.verify, "SMTP \(address) does not offer STARTTLS")
            }
            try send("STARTTLS")
            guard try reply().code == "220" else { throw DNSError(.verify, "SMTP \(address): STARTTLS refused") }
        }

        /// One reply, all its lines (a multi-line reply ends at the line without "-" after the code).
        mutating func reply() throws -> (code: String, lines: [String]) {
            var lines: [String] = []
            while true {
                while !pending.contains(10) {
                    var buffer = [UInt8](repeating: 0, count: 1024)
                    let n = recv(fd, &buffer, buffer.count, 0)
                    guard n > 0 else { throw DNSError(.unreadable, "SMTP \(address): connection closed or timed out") }
                    pending += buffer[0..<n]
                }
                let i = pending.firstIndex(of: 10)!
                let line = String(decoding: pending[..<i], as: UTF8.self).trimmingCharacters(
                    in: .whitespacesAndNewlines
                )
                pending.removeSubrange(...i)
                lines.append(line)
                if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" {
                    return (String(line.prefix(3)), lines)
                }
            }
        }

        /// Sends one command line.
        func send(_ text: String) throws {
            let bytes = Array((text + "\r\n").utf8)
            guard Foundation.send(fd, bytes, bytes.count, 0) == bytes.count else {
                throw DNSError(.unreadable, "SMTP \(address): send failed")
            }
        }
    }

    /// The TLS handshake on `fd` with SNI `host`: the version negotiated and the keys served.
    private static func handshake(fd: Int32, host: DomainName, address: ServerAddress) throws -> Result {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw DNSError(.unsupported, "OpenSSL: no TLS context")
        }
        defer { SSL_CTX_free(ctx) }
        guard let ssl = SSL_new(ctx) else { throw DNSError(.unsupported, "OpenSSL: no TLS connection") }
        defer { SSL_free(ssl) }
        _ = mk_SSL_set_tlsext_host_name(ssl, host.description)
        SSL_set_fd(ssl, fd)
        guard SSL_connect(ssl) == 1 else {
            throw DNSError(.verify, "TLS handshake with \(address) failed: \(openSSLError())")
        }
        defer { SSL_shutdown(ssl) }
        let version = String(cString: SSL_get_version(ssl))
        return Result(tlsVersion: version, spkis: spkis(ssl))
    }

    /// The SPKI SHA-256 (hex) of every certificate the peer of `ssl` sent, leaf first.
    private static func spkis(_ ssl: OpaquePointer) -> [String] {
        var spkis: [String] = []
        guard let stack = SSL_get_peer_cert_chain(ssl) else { return spkis }
        for i in 0..<OPENSSL_sk_num(stack) {
            guard let raw = OPENSSL_sk_value(stack, i) else { continue }
            let x = OpaquePointer(raw)
            guard let pub = X509_get_X509_PUBKEY(x) else { continue }
            var der: UnsafeMutablePointer<UInt8>?
            let n = i2d_X509_PUBKEY(pub, &der)
            guard n > 0, let der else { continue }
            spkis.append(Digest.sha256Hex(UnsafeBufferPointer(start: der, count: Int(n))))
            CRYPTO_free(der, #file, #line)
        }
        return spkis
    }
}
