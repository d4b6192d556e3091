import Foundation

/// A real NSD serving zone files on 127.0.0.1 at a high port, stopped when the object goes away
/// (and by `timeout` after five minutes if the test process dies first).
final class NSDServer {
    let port: Int
    let dir: URL
    private let daemon: Daemon

    /// `control`: a unix control socket at `dir/nsd.ctl` (for `nsd-control -c dir/nsd.conf`);
    /// `provideXFR`: zone transfers to 127.0.0.1; `port`: a fixed port (to restart on it);
    /// `dynamic`: zones added at run time with `nsd-control addzone NAME mailkeys` (pattern
    /// `mailkeys`: `dir/%s.zone`), which `nsd-control delzone` can drop (needs `control`);
    /// `ipv6`: also on ::1 at the same port.
    init(
        zones: [(name: String, file: URL)],
        control: Bool = false,
        provideXFR: Bool = false,
        port fixed: Int? = nil,
        dynamic: [(name: String, file: URL)] = [],
        ipv6: Bool = false
    ) throws {
        let nsd = try Support.tool("nsd")
        dir = try Support.scratch("nsd")
        port = try fixed ?? Support.freePort()
        var conf = """
            server:
                ip-address: 127.0.0.1@\(port)\(ipv6 ? "\n    ip-address: ::1@\(port)" : "")
                port: \(port)
                username: ""
                chroot: ""
                zonesdir: "\(dir.path)"
                pidfile: "\(dir.path)/nsd.pid"
                xfrdfile: "\(dir.path)/xfrd.state"
                xfrdir: "\(dir.path)"
                zonelistfile: "\(dir.path)/zone.list"
                database: ""
                logfile: "\(dir.path)/nsd.log"
                server-count: 1
                verbosity: 1
                hide-version: yes
            remote-control:
                control-enable: \(control ? "yes\n    control-interface: \"\(dir.path)/nsd.ctl\"" : "no")

            """
        for z in zones {
            let local = dir.appendingPathComponent("\(z.name).zone")
            try FileManager.default.copyItem(at: z.file, to: local)
            conf += "zone:\n    name: \(z.name)\n    zonefile: \"\(local.path)\"\n"
            if provideXFR { conf += "    provide-xfr: 127.0.0.1 NOKEY\n" }
        }
        if !dynamic.isEmpty { conf += "pattern:\n    name: mailkeys\n    zonefile: \"\(dir.path)/%s.zone\"\n" }
        let confURL = dir.appendingPathComponent("nsd.conf")
        try conf.write(to: confURL, atomically: true, encoding: .utf8)
        let check = try Support.exec(try Support.tool("nsd-checkconf"), [confURL.path])
        guard check.status == 0 else { throw Support.Failure("nsd-checkconf: \(check.stderr)") }
        daemon = try Daemon(
            try Support.tool("timeout"),
            ["300", nsd, "-d", "-c", confURL.path],
            log: dir.appendingPathComponent("stderr.log")
        )
        try Support.waitUntilServing(
            zones[0].name,
            port: port,
            daemon: daemon,
            log: dir.appendingPathComponent("nsd.log"),
            what: "NSD"
        )
        for z in dynamic {
            try FileManager.default.copyItem(at: z.file, to: dir.appendingPathComponent("\(z.name).zone"))
            let r = try Support.exec(
                try Support.tool("nsd-control"),
                ["-c", confURL.path, "addzone", z.name, "mailkeys"]
            )
            guard r.status == 0 else { throw Support.Failure("nsd-control addzone \(z.name): \(r.stdout) \(r.stderr)") }
        }
    }

    /// `nsd-control -c dir/nsd.conf ARGS…` (the server needs `control`).
    func control(_ arguments: [String]) throws -> Support.Result {
        try Support.exec(
            try Support.tool("nsd-control"),
            ["-c", dir.appendingPathComponent("nsd.conf").path] + arguments
        )
    }

    /// `dig +short` against this server.
    func query(_ name: String, _ type: String) throws -> Support.Result {
        try Support.exec(
            try Support.tool("dig"),
            ["@127.0.0.1", "-p", String(port), "+short", "+norecurse", "+time=1", "+tries=1", name, type]
        )
    }

    deinit {
        daemon.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}
