import Foundation

/// Loopback ports for the peers the tests start.
extension Support {
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
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            close(fd)
            let tfd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let tok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(tfd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            close(tfd)
            if ok && tok { return port }
        }
        throw Failure("no free port found")
    }

    /// Waits until a server on 127.0.0.1:`port` answers the SOA of `zone` (each probe blocks at
    /// most 1 s); stops it and throws with its log if it exits or never answers.
    static func waitUntilServing(_ zone: String, port: Int, daemon: Daemon, log: URL, what: String) throws {
        for _ in 0..<20 {
            let r = try exec(
                try tool("dig"),
                ["@127.0.0.1", "-p", String(port), "+short", "+norecurse", "+time=1", "+tries=1", zone, "SOA"]
            )
            if r.status == 0 && !r.stdout.isEmpty { return }
            guard daemon.isRunning else { break }
        }
        daemon.stop()
        throw Failure(
            "\(what) did not start on 127.0.0.1:\(port): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")"
        )
    }

}
