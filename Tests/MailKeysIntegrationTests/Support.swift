import Foundation
import Testing

/// Helpers shared by the integration tests: the built `mailkeys` binary, scratch homes, real
/// peer programs, golden files.
enum Support {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    /// The `mailkeys` executable `swift build` produced (tests run it as a user would).
    static var binary: String {
        get throws {
            let path = ProcessInfo.processInfo.environment["MAILKEYS_BIN"] ?? repoRoot.appendingPathComponent(".build/debug/mailkeys").path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw Failure("the mailkeys binary is missing at \(path): run `swift build` (make test does)")
            }
            return path
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The signal that ended the process (then `status` is the signal number), nil on exit.
        var signal: Int32? = nil
    }

    /// Standard error, read on its own thread while standard output is read.
    private final class Drain: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }

    /// Runs `program` with `arguments`, waits for it, returns its exit status and output.
    @discardableResult
    static func exec(_ program: String, _ arguments: [String], environment: [String: String]? = nil, cwd: URL? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        if let environment {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Both pipes are drained at once: a child that fills one (64 KB of errors) while the
        // other is read would otherwise block forever.
        let drain = Drain()
        let errHandle = err.fileHandleForReading
        Thread.detachNewThread {
            drain.data = errHandle.readDataToEndOfFile()
            drain.done.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        drain.done.wait()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: drain.data, as: UTF8.self),
            signal: p.terminationReason == .uncaughtSignal ? p.terminationStatus : nil)
    }

    /// Runs the mailkeys binary.
    @discardableResult
    static func mailkeys(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        try exec(try binary, arguments, environment: environment)
    }

    /// The absolute path of a peer program; a missing peer fails the test loudly.
    static func tool(_ name: String) throws -> String {
        for dir in ["/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin"] {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw Failure("\(name) is not installed: `make test` installs it (Debian packages in the Makefile's TEST_PKGS)")
    }

    /// A fresh empty directory under the system temp dir.
    static func scratch(_ label: String = "home") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mailkeys-test-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The instant most tests start at (``TestClock``: shifted with `MAILKEYS_TEST_SHIFT_DAYS`).
    static let now = TestClock.at("2026-11-21T10:00:00Z")

    /// The example's init arguments (the same as the Makefile's `make run`).
    static let exampleInit = [
        "--domain", "example.org", "--mx", "mail.example.org=192.0.2.25,2001:db8::25",
        "--ns", "ns1.example.org=192.0.2.53,2001:db8::53", "--ns", "ns2.example.net",
        "--rua", "mailto:dmarc-reports@example.org",
    ]

    /// A home initialised like the example, with the repository's template copied in, and built
    /// once at `at` (``now`` unless the test runs on the real clock).
    static func exampleHome(build: Bool = true, at: String = now) throws -> URL {
        let home = try scratch()
        let r = try mailkeys(["init", "--home", home.path, "--now", at] + exampleInit)
        guard r.status == 0 else { throw Failure("init failed: \(r.stderr)") }
        try FileManager.default.copyItem(
            at: repoRoot.appendingPathComponent("Zones/example.org.zone.in"),
            to: home.appendingPathComponent("Zones/example.org.zone.in"))
        if build {
            let t = try mailkeys(["tick", "--home", home.path, "--now", at])
            guard t.status == 0 else { throw Failure("tick failed: \(t.stderr)") }
        }
        return home
    }

    static func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    static func bytes(_ url: URL) -> Data? { FileManager.default.contents(atPath: url.path) }

    /// Compares `actual` with the golden file `name`; `MAILKEYS_RECORD_SNAPSHOTS=1` rewrites it.
    static func assertSnapshot(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = snapshots.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["MAILKEYS_RECORD_SNAPSHOTS"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing snapshot \(name); record it with MAILKEYS_RECORD_SNAPSHOTS=1", sourceLocation: sourceLocation)
            return
        }
        #expect(
            actual == expected, "snapshot \(name) differs; re-record with MAILKEYS_RECORD_SNAPSHOTS=1 if intended", sourceLocation: sourceLocation)
    }

    /// The zone with every DKIM public key replaced by `<key>` (keys are random; everything
    /// else in a golden file must match exactly).
    static func maskDKIM(_ zone: String) -> String {
        zone.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.contains("._domainkey"), let range = line.range(of: "TXT\t") else { return String(line) }
            let rdata = line[range.upperBound...]
            let text = rdata.replacingOccurrences(of: "\" \"", with: "")
            guard let p = text.range(of: "p=") else { return String(line) }
            return line[..<range.upperBound] + text[..<p.upperBound] + "<key>\""
        }.joined(separator: "\n")
    }

    /// The Debian python3 (with python3-dkim), not whatever python3 is first in PATH.
    static var python: String {
        get throws {
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { throw Failure("/usr/bin/python3 is missing") }
            let probe = try exec("/usr/bin/python3", ["-c", "import dkim, dns.resolver"])
            guard probe.status == 0 else { throw Failure("dkimpy is not installed for /usr/bin/python3 (Debian python3-dkim): \(probe.stderr)") }
            return "/usr/bin/python3"
        }
    }

    static let dkimScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/dkim_check.py").path

    /// A TCP and UDP port on 127.0.0.1 that is free right now.
    static func freePort() throws -> Int {
        for _ in 0..<50 {
            let port = Int.random(in: 20000...60000)
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(fd)
            let tfd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let tok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tfd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(tfd)
            if ok && tok { return port }
        }
        throw Failure("no free port found")
    }
}

/// A long-running peer (a nameserver) started with posix_spawn: in its own process group, with a
/// cleared signal mask (the test runner blocks signals its threads inherit, and Foundation's
/// Process passes that on, so a daemon would ignore SIGTERM) and no inherited descriptors.
final class Daemon {
    let pid: pid_t

    init(_ program: String, _ arguments: [String], log: URL) throws {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > 2 && fcntl(fd, F_GETFD) != -1 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, &attr, argv, environ)
        guard rc == 0 else { throw Support.Failure("cannot start \(program): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// SIGTERM to the whole group, then SIGKILL if it has not gone within about two seconds.
    func stop() {
        kill(-pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<200 {
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(10_000)
        }
        kill(-pid, SIGKILL)
        waitpid(pid, &status, 0)
    }
}

/// A real NSD serving zone files on 127.0.0.1 at a high port, stopped when the object goes away
/// (and by `timeout` after five minutes if the test process dies first).
final class NSDServer {
    let port: Int
    let dir: URL
    private let daemon: Daemon

    /// `control`: a unix control socket at `dir/nsd.ctl` (for `nsd-control -c dir/nsd.conf`);
    /// `provideXFR`: zone transfers to 127.0.0.1; `port`: a fixed port (to restart on it).
    init(zones: [(name: String, file: URL)], control: Bool = false, provideXFR: Bool = false, port fixed: Int? = nil) throws {
        let nsd = try Support.tool("nsd")
        dir = try Support.scratch("nsd")
        port = try fixed ?? Support.freePort()
        var conf = """
            server:
                ip-address: 127.0.0.1@\(port)
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
        let confURL = dir.appendingPathComponent("nsd.conf")
        try conf.write(to: confURL, atomically: true, encoding: .utf8)
        let check = try Support.exec(try Support.tool("nsd-checkconf"), [confURL.path])
        guard check.status == 0 else { throw Support.Failure("nsd-checkconf: \(check.stderr)") }
        daemon = try Daemon(try Support.tool("timeout"), ["300", nsd, "-d", "-c", confURL.path], log: dir.appendingPathComponent("stderr.log"))
        try Support.waitUntilServing(zones[0].name, port: port, daemon: daemon, log: dir.appendingPathComponent("nsd.log"), what: "NSD")
    }

    /// `dig +short` against this server.
    func query(_ name: String, _ type: String) throws -> Support.Result {
        try Support.exec(
            try Support.tool("dig"), ["@127.0.0.1", "-p", String(port), "+short", "+norecurse", "+time=1", "+tries=1", name, type])
    }

    deinit {
        daemon.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

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
        daemon = try Daemon(try Support.tool("timeout"), ["300", knotd, "-c", confURL.path], log: dir.appendingPathComponent("stderr.log"))
        try Support.waitUntilServing(zones[0].name, port: port, daemon: daemon, log: dir.appendingPathComponent("knot.log"), what: "Knot")
    }

    deinit {
        daemon.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

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
        let gen = try Support.exec(try Support.tool("rndc-confgen"), ["-a", "-A", "hmac-sha256", "-k", "rndc-key", "-c", key.path])
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
            try Support.tool("timeout"), ["300", try Support.tool("named"), "-g", "-c", confURL.path], log: dir.appendingPathComponent("named.log"))
        try Support.waitUntilServing(zones[0].name, port: port, daemon: daemon, log: dir.appendingPathComponent("named.log"), what: "named")
    }

    deinit { daemon.stop() }
}

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
            try Support.tool("timeout"), ["300", try Support.tool("knotd"), "-c", conf.path], log: dir.appendingPathComponent("stderr.log"))
        try Support.waitUntilServing(zone, port: port, daemon: daemon, log: dir.appendingPathComponent("knot.log"), what: "Knot secondary")
    }

    deinit { daemon.stop() }
}

extension Support {
    /// Waits until a server on 127.0.0.1:`port` answers the SOA of `zone` (each probe blocks at
    /// most 1 s); stops it and throws with its log if it exits or never answers.
    static func waitUntilServing(_ zone: String, port: Int, daemon: Daemon, log: URL, what: String) throws {
        for _ in 0..<20 {
            let r = try exec(try tool("dig"), ["@127.0.0.1", "-p", String(port), "+short", "+norecurse", "+time=1", "+tries=1", zone, "SOA"])
            if r.status == 0 && !r.stdout.isEmpty { return }
            guard daemon.isRunning else { break }
        }
        daemon.stop()
        throw Failure("\(what) did not start on 127.0.0.1:\(port): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// The key tag (RFC 4034 Appendix B) of a DNSKEY given by its RDATA in presentation form
    /// (`flags protocol algorithm base64`), computed here independently of mailkeys and libldns.
    static func keyTag(_ rdata: String) -> Int {
        let f = rdata.split(separator: " ", maxSplits: 3)
        let key = Data(base64Encoded: f[3].replacingOccurrences(of: " ", with: ""))!
        let flags = Int(f[0])!
        var wire: [UInt8] = [UInt8(flags >> 8), UInt8(flags & 0xFF), UInt8(f[1])!, UInt8(f[2])!] + Array(key)
        if wire.count % 2 == 1 { wire.append(0) }
        var acc = 0
        for i in stride(from: 0, to: wire.count, by: 2) { acc += Int(wire[i]) << 8 + Int(wire[i + 1]) }
        acc += acc >> 16 & 0xFFFF
        return acc & 0xFFFF
    }
}
