import Foundation

/// BIND's named serving zones on 127.0.0.1 at a free high port, with rndc on another; stopped
/// with the object. `rndc` is the argv prefix that reaches it.
final class BindServer {
    let port: Int
    let dir: URL
    let rndc: [String]
    private let daemon: Daemon

    init(zones: [(name: String, file: URL)]) throws {
        dir = try Support.scratch("bind")
        port = try Support.freePort()
        let control = try Support.freePort()
        let key = dir.appendingPathComponent("rndc.key")
        let gen = try Support.exec(
            try Support.tool("rndc-confgen"),
            ["-a", "-A", "hmac-sha256", "-k", "rndc-key", "-c", key.path]
        )
        guard gen.status == 0 else { throw Support.Failure("rndc-confgen: \(gen.stderr)") }
        var conf = """
            options {
                directory "\(dir.path)";
                pid-file "\(dir.path)/named.pid";
                session-keyfile "\(dir.path)/session.key";
                managed-keys-directory "\(dir.path)";
                listen-on port \(port) { 127.0.0.1; };
                listen-on-v6 { none; };
                recursion no;
                dnssec-validation no;
                notify no;
            };
            include "\(key.path)";
            controls { inet 127.0.0.1 port \(control) allow { 127.0.0.1; } keys { "rndc-key"; }; };

            """
        for z in zones {
            let local = dir.appendingPathComponent("\(z.name).zone")
            try FileManager.default.copyItem(at: z.file, to: local)
            conf += "zone \"\(z.name)\" { type primary; file \"\(local.path)\"; };\n"
        }
        let confURL = dir.appendingPathComponent("named.conf")
        try conf.write(to: confURL, atomically: true, encoding: .utf8)
        rndc = [try Support.tool("rndc"), "-k", key.path, "-s", "127.0.0.1", "-p", String(control)]
        daemon = try Daemon(
            try Support.tool("timeout"),
            ["300", try Support.tool("named"), "-g", "-c", confURL.path],
            log: dir.appendingPathComponent("named.log")
        )
        try Support.waitUntilServing(
            zones[0].name,
            port: port,
            daemon: daemon,
            log: dir.appendingPathComponent("named.log"),
            what: "named"
        )
    }

    deinit { daemon.stop() }
}
