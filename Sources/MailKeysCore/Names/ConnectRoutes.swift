/// Where to connect instead of an address found in DNS (`check --connect-to FROM=TO`, like
/// curl's option of that name): a server behind NAT, or a test's server on a loopback port.
/// A route keeps the address family, so a probe of an IPv6 address still travels over IPv6.
public struct ConnectRoutes: Sendable, Equatable {
    /// Each address and port found in DNS with the one to connect to instead.
    public private(set) var routes: [(from: ServerAddress, to: ServerAddress)]

    /// No routes: every address is reached as DNS gives it.
    public init() { routes = [] }

    /// Parses `FROM=TO` specifications, each side `IPv4:PORT` or `[IPv6]:PORT`. Throws for an
    /// unreadable side, a missing port on FROM, a route across families or a FROM given twice.
    public init(_ specs: [String]) throws {
        routes = []
        for spec in specs {
            let sides = spec.split(separator: "=", omittingEmptySubsequences: false)
            guard sides.count == 2, !sides[0].isEmpty, !sides[1].isEmpty else {
                throw CoreError(
                    .invalidAddress,
                    "\(Quote.short(spec)) is not FROM=TO (e.g. [2001:db8::25]:25=[::1]:2525)"
                )
            }
            let hasPort = sides[0].hasPrefix("[") ? sides[0].contains("]:") : sides[0].filter { $0 == ":" }.count == 1
            guard hasPort else {
                throw CoreError(.invalidAddress, "\(Quote.short(spec)): FROM needs its port, e.g. [2001:db8::25]:25")
            }
            let from = try ServerAddress(String(sides[0]), defaultPort: 0)
            let to = try ServerAddress(String(sides[1]), defaultPort: from.port)
            guard from.address.isV4 == to.address.isV4 else {
                throw CoreError(
                    .invalidAddress,
                    "\(Quote.short(spec)): an IPv\(from.address.isV4 ? 4 : 6) address is reached over IPv\(from.address.isV4 ? 4 : 6) only"
                )
            }
            guard !routes.contains(where: { $0.from == from }) else {
                throw CoreError(.invalidAddress, "\(Quote.short(spec)): \(from) is routed twice")
            }
            routes.append((from, to))
        }
    }

    /// Where to connect for `address`: its route's target, else `address` itself.
    public func target(_ address: ServerAddress) -> ServerAddress {
        routes.first { $0.from == address }?.to ?? address
    }

    /// `address`, with " via TARGET" when a route sends it elsewhere (for report details).
    public func label(_ address: ServerAddress) -> String {
        let to = target(address)
        return to == address ? address.description : "\(address) via \(to)"
    }

    public static func == (a: ConnectRoutes, b: ConnectRoutes) -> Bool {
        a.routes.count == b.routes.count && zip(a.routes, b.routes).allSatisfy { $0.from == $1.from && $0.to == $1.to }
    }
}
