import Foundation

/// Knot DNS serving pre-signed zones on 127.0.0.1 at a free high port, with its control socket;
/// stopped when the object goes away. Knot never signs or writes back the zone files here.
final class KnotServer {
    let port: Int
    let dir: URL
    private let daemon: Daemon

    init(zones: [(name: String, file: URL)]) throws {
        let knotd = try Support.tool("knotd")
        dir = try Support.scratch("knot")
        port = try Support.freePort()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("db"), withIntermediateDirectories: true)
        var conf = """
            server:
                rundir: "\(dir.path)"
                pidfile: "\(dir.path)/knot.pid"
                listen: 127.0.0.1@\(port)
            control:
                listen: "\(dir.path)/knot.sock"
            log:
              - target: "\(dir.path)/knot.log"
                any: info
            database:
                storage: "\(dir.path)/db"
            template:
              - id: default
                storage: "\(dir.path)"
                file: "%s.zone"
                zonefile-sync: -1
                zonefile-load: whole
                journal-content: none
            zone:

            """
        for z in zones {
            try FileManager.default.copyItem(at: z.file, to: dir.appendingPathComponent("\(z.name).zone"))
            conf += "  - domain: \(z.name)\n"
        }
        let confURL = dir.appendingPathComponent("knot.conf")
        try conf.write(to: confURL, atomically: true, encoding: .utf8)
        let check = try Support.exec(try Support.tool("knotc"), ["-c", confURL.path, "conf-check"])
        guard check.status == 0 else { throw Support.Failure("knotc conf-check: \(check.stdout)\(check.stderr)") }
        daemon = try Daemon(
            try Support.tool("timeout"),
            ["300", knotd, "-c", confURL.path],
            log: dir.appendingPathComponent("stderr.log")
        )
        try Support.waitUntilServing(
            zones[0].name,
            port: port,
            daemon: daemon,
            log: dir.appendingPathComponent("knot.log"),
            what: "Knot"
        )
    }

    deinit {
        daemon.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}
