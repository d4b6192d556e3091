import Foundation

/// `gnutls-serv` (echo mode) at a high port behind `Scripts/starttls_front.py`, which speaks SMTP
/// up to STARTTLS and then joins the connection to it: a real TLS server with settings Postfix
/// (OpenSSL) cannot have, such as no RFC 5746 secure renegotiation, for `check`'s TLS lines.
/// Stopped with the object (and by `timeout` after five minutes).
final class GnuTLSSMTPServer {
    let port: Int
    private let dir: URL
    private let backend: Daemon
    private let front: Daemon

    /// Serves `fullchain` (leaf first) with `key` under the GnuTLS `priority` string.
    init(key: URL, fullchain: URL, priority: String) throws {
        dir = try Support.scratch("gnutls")
        let tlsPort = try Support.freePort()
        backend = try Daemon(
            try Support.tool("timeout"),
            [
                "300", try Support.tool("gnutls-serv"), "--echo", "--port", "\(tlsPort)", "--x509certfile",
                fullchain.path, "--x509keyfile", key.path, "--priority", priority,
            ],
            log: dir.appendingPathComponent("gnutls.log")
        )
        port = try Support.freePort()
        front = try Daemon(
            try Support.tool("timeout"),
            ["300", try Support.tool("python3"), Support.starttlsFrontScript, "\(port)", "\(tlsPort)"],
            log: dir.appendingPathComponent("front.log")
        )
        for _ in 0..<100 {
            let r = try Support.exec(
                try Support.tool("openssl"),
                ["s_client", "-starttls", "smtp", "-connect", "127.0.0.1:\(port)", "-legacy_server_connect", "-brief"]
            )
            if r.status == 0 { return }
            guard backend.isRunning, front.isRunning else { break }
            usleep(50_000)
        }
        throw Support.Failure(
            "gnutls-serv behind the SMTP front did not start: "
                + "\((try? Support.read(dir.appendingPathComponent("gnutls.log"))) ?? "")"
                + "\((try? Support.read(dir.appendingPathComponent("front.log"))) ?? "")"
        )
    }

    deinit {
        front.stop()
        backend.stop()
    }
}
