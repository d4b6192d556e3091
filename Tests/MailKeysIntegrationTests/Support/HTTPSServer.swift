import Foundation

/// `openssl s_server -WWW` on 127.0.0.1 at a high port: serves the files under its directory
/// over HTTPS with the given certificate (as an MTA-STS policy host would), stopped when the
/// object goes away (and by `timeout` after five minutes if the test process dies first).
final class HTTPSServer {
    let port: Int
    let root: URL
    private let daemon: Daemon

    /// Serves `files` (path under the root → text) with the certificate `fullchain` (leaf
    /// first) of `key`, sending `intermediates` after it.
    init(files: [String: String], key: URL, fullchain: URL, intermediates: URL) throws {
        root = try Support.scratch("https")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        port = try Support.freePort()
        let openssl = try Support.tool("openssl")
        let command =
            "cd '\(root.path)' && exec '\(openssl)' s_server -quiet -WWW -accept 127.0.0.1:\(port) "
            + "-cert '\(fullchain.path)' -key '\(key.path)' -cert_chain '\(intermediates.path)'"
        let log = root.appendingPathComponent("server.log")
        daemon = try Daemon(try Support.tool("timeout"), ["300", "/bin/sh", "-c", command], log: log)
        for _ in 0..<100 {
            let r = try Support.exec(
                openssl,
                ["s_client", "-connect", "127.0.0.1:\(port)", "-brief"],
                environment: nil
            )
            if r.stderr.contains("CONNECTION ESTABLISHED") || r.stdout.contains("CONNECTION ESTABLISHED") { return }
            guard daemon.isRunning else { break }
            usleep(50_000)
        }
        throw Support.Failure("openssl s_server did not start: \((try? Support.read(log)) ?? "")")
    }

    deinit {
        daemon.stop()
        try? FileManager.default.removeItem(at: root)
    }
}
