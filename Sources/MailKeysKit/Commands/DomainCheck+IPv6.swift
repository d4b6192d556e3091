import MailKeysCore
import MailKeysDNS

extension DomainCheck {
    /// The ipv6 line, as internet.nl's IPv6 tests for mail (ns_aaaa, ns_reach, mx_aaaa,
    /// mx_reach): every MX host and at least two nameservers have an IPv6 address (AAAA), and
    /// each such address answers over IPv6: a nameserver with the domain's SOA, authoritatively,
    /// over UDP and over TCP (port 53); an MX host with an SMTP greeting (port 25). Hosts outside
    /// the home's zones are not checked (the detail says so); such nameservers still count
    /// toward the two, as mailkeys cannot tell.
    mutating func checkIPv6(mx: [DomainName]) throws {
        let ns = ask(policy.name, "NS").records.map { DomainName(presentation: $0) }
        var problems: [String] = []
        var reached: [String] = []
        var outside: [DomainName] = []
        var nameserversWithIPv6 = 0
        for (kind, host) in ns.map({ (HostKind.nameserver, $0) }) + mx.map({ (HostKind.mx, $0) }) {
            guard let zone = try zone(of: host) else {
                outside.append(host)
                continue
            }
            let addresses = ask(host, "AAAA", in: zone).records.compactMap { try? IPAddress($0) }
            if addresses.isEmpty {
                problems.append("\(kind.rawValue) \(host) has no IPv6 address (AAAA)")
                continue
            }
            if kind == .nameserver { nameserversWithIPv6 += 1 }
            for address in addresses {
                let (problem, detail) = kind == .nameserver ? reachDNS(host, address) : reachSMTP(host, address)
                if let problem { problems.append(problem) } else { reached.append(detail) }
            }
        }
        let uncheckedNameservers = Set(outside).intersection(ns).count
        if ns.isEmpty {
            problems.insert("no NS records could be read for \(policy.name)", at: 0)
        } else if problems.isEmpty && nameserversWithIPv6 + uncheckedNameservers < 2 {
            problems.append(
                "\(nameserversWithIPv6 == 0 ? "no" : "only 1") nameserver of \(policy.name) has an IPv6 address: internet.nl asks for two"
            )
        }
        var detail = reached.isEmpty ? "no nameserver or MX host in this home's zones" : reached.joined(separator: "; ")
        if !outside.isEmpty {
            detail += "; \(outside.map(\.description).joined(separator: ", ")) outside this home's zones: not checked"
        }
        line("ipv6", [], problems.isEmpty && !reached.isEmpty, problems.first ?? detail)
    }

    /// What a host is to the domain, as the report names it.
    enum HostKind: String {
        case nameserver
        case mx = "MX"
    }

    /// Asks the nameserver `host` at `address` (port 53, or where `--connect-to` routes it) for
    /// the domain's SOA over UDP, then over TCP: a problem, or the detail of a server that
    /// answered both authoritatively.
    func reachDNS(_ host: DomainName, _ address: IPAddress) -> (problem: String?, detail: String) {
        let server = ServerAddress(address: address, port: 53)
        let at = "nameserver \(host) at \(routes.label(server))"
        for (tcp, transport) in [(false, "UDP"), (true, "TCP")] {
            do {
                guard try DNSQuery.serves(zone: policy.name, server: routes.target(server), tcp: tcp) else {
                    return ("\(at) does not answer for \(policy.name) with authority over IPv6 \(transport)", "")
                }
            } catch let e as DNSError {
                return ("\(at) cannot be reached over IPv6 \(transport): \(e.reason)", "")
            } catch {
                return ("\(at) cannot be reached over IPv6 \(transport): \(error)", "")
            }
        }
        return (nil, "\(at) answers over IPv6 UDP and TCP")
    }

    /// Connects to the MX host `host` at `address` (port 25, or where `--connect-to` routes it)
    /// and reads its greeting: a problem, or the detail of a server that greeted with 220.
    func reachSMTP(_ host: DomainName, _ address: IPAddress) -> (problem: String?, detail: String) {
        let server = ServerAddress(address: address, port: 25)
        let at = "MX \(host) at \(routes.label(server))"
        do {
            _ = try SMTPProbe.greeting(address: routes.target(server))
            return (nil, "\(at) greets over IPv6")
        } catch let e as DNSError where e.code == .verify {
            return ("\(at) answers over IPv6 but turns mail away: \(e.reason)", "")
        } catch let e as DNSError {
            return ("\(at) cannot be reached over IPv6: \(e.reason)", "")
        } catch {
            return ("\(at) cannot be reached over IPv6: \(error)", "")
        }
    }
}
