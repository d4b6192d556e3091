import Foundation

/// Knot as a secondary on 127.0.0.1: transfers `zone` from a primary at `primaryPort` when it is
/// notified (it keeps the zone in memory only); stopped with the object.
final class KnotSecondary {
    let port: Int
    let dir: URL
    private let daemon: Daemon

    init(zone: String, primaryPort: Int) throws {
        dir = try Support.scratch("knot2")
        port = try Support.freePort()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("db"), withIntermediateDirectories: true)
        let conf = dir.appendingPathComponent("knot.conf")
        try """
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
        remote:
          - id: primary
            address: 127.0.0.1@\(primaryPort)
        acl:
          - id: notify_from_primary
            address: 127.0.0.1
            action: notify
        template:
          - id: default
            storage: "\(dir.path)"
            file: "%s.zone"
            zonefile-sync: -1
            zonefile-load: none
            journal-content: none
        zone:
          - domain: \(zone)
            master: primary
            acl: notify_from_primary

        """.write(to: conf, atomically: true, encoding: .utf8)
        daemon = try Daemon(
            try Support.tool("timeout"),
            ["300", try Support.tool("knotd"), "-c", conf.path],
            log: dir.appendingPathComponent("stderr.log")
        )
        try Support.waitUntilServing(
            zone,
            port: port,
            daemon: daemon,
            log: dir.appendingPathComponent("knot.log"),
            what: "Knot secondary"
        )
    }

    deinit { daemon.stop() }
}
