import COpenSSL
import Foundation
import MailKeysCore

/// One HTTPS GET through OpenSSL, the certificate verified against the system's roots (or a
/// given CA file) and the host name: how `check` reads the live MTA-STS policy (RFC 8461 §3.3:
/// a valid certificate for `mta-sts.<domain>`, no redirects, at most 64 KiB).
public enum HTTPSFetch {
    public struct Response: Sendable {
        public var status: Int
        public var contentType: String?
        public var body: String
    }

    /// GETs `https://host/path` from `address` (the host's address and port); the certificate
    /// must be valid at `at` (the run's clock, so `--now` moves it too).
    public static func get(
        host: DomainName,
        path: String,
        address: ServerAddress,
        caFile: String? = nil,
        at: Date,
        timeout: Int = 5
    ) throws -> Response {
        let fd = try SMTPProbe.connectedSocket(to: address, timeout: timeout, label: "HTTPS")
        defer { close(fd) }
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw DNSError(.unsupported, "OpenSSL: no TLS context")
        }
        defer { SSL_CTX_free(ctx) }
        let loaded =
            caFile.map { SSL_CTX_load_verify_locations(ctx, $0, nil) == 1 }
            ?? (SSL_CTX_set_default_verify_paths(ctx) == 1)
        guard loaded else {
            throw DNSError(.unreadable, "cannot load the CA certificates \(caFile ?? "of the system")")
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(ctx), time_t(at.timeIntervalSince1970))
        guard let ssl = SSL_new(ctx) else { throw DNSError(.unsupported, "OpenSSL: no TLS connection") }
        defer { SSL_free(ssl) }
        let name = host.description
        _ = name.withCString { SSL_ctrl(ssl, 55, 0, UnsafeMutableRawPointer(mutating: $0)) }  // SNI
        guard SSL_set1_host(ssl, name) == 1 else { throw DNSError(.unsupported, "OpenSSL: cannot check the name") }
        SSL_set_fd(ssl, fd)
        guard SSL_connect(ssl) == 1 else {
            let result = SSL_get_verify_result(ssl)
            let why =
                result != X509_V_OK
                ? String(cString: X509_verify_cert_error_string(result)) : openSSLError()
            throw DNSError(.verify, "https://\(name)\(path) at \(address): \(why)")
        }
        defer { SSL_shutdown(ssl) }
        let request = "GET \(path) HTTP/1.1\r\nHost: \(name)\r\nUser-Agent: mailkeys\r\nConnection: close\r\n\r\n"
        let bytes = Array(request.utf8)
        guard SSL_write(ssl, bytes, Int32(bytes.count)) == Int32(bytes.count) else {
            throw DNSError(.unreadable, "https://\(name)\(path): cannot send the request")
        }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16384)
        while data.count <= 70_000 {
            let n = SSL_read(ssl, &buffer, Int32(buffer.count))
            guard n > 0 else { break }
            data += buffer[0..<Int(n)]
        }
        return try parse(data, url: "https://\(name)\(path)")
    }

    /// The status, content type and body of an HTTP/1.x response (chunked bodies joined).
    static func parse(_ data: [UInt8], url: String) throws -> Response {
        guard let blank = data.firstRange(of: [13, 10, 13, 10] as [UInt8]) else {
            throw DNSError(.unreadable, "\(url): no HTTP response")
        }
        let head = String(decoding: data[..<blank.lowerBound], as: UTF8.self).split(separator: "\r\n").map(String.init)
        let statusFields = head.first?.split(separator: " ") ?? []
        guard statusFields.count >= 2, statusFields[0].hasPrefix("HTTP/1."), let status = Int(statusFields[1]) else {
            throw DNSError(.unreadable, "\(url): not an HTTP response")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces
            )
        }
        var body = Array(data[blank.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = unchunk(body) }
        guard body.count <= 65536 else { throw DNSError(.unreadable, "\(url): the body is over 64 KiB") }
        return Response(
            status: status,
            contentType: headers["content-type"],
            body: String(decoding: body, as: UTF8.self)
        )
    }

    /// A chunked transfer encoding's chunks joined.
    private static func unchunk(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            guard let lineEnd = (i..<max(i, data.count - 1)).first(where: { data[$0] == 13 && data[$0 + 1] == 10 })
            else {
                break
            }
            let sizeText = String(decoding: data[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            guard start + size <= data.count else { break }
            out += data[start..<start + size]
            i = start + size + 2
        }
        return out
    }
}
