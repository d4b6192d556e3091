import MailKeysCore

/// Stage 1 of signing: the zone's RRsets grouped by owner (first the apex sets the signer makes
/// itself), one job per RRset to sign in file order, the unsigned lines (glue, occluded data)
/// between them, an NSEC after each authoritative owner or the NSEC3 chain at the end.
struct SigningPlanBuilder {
    /// The plan and what goes with it.
    struct Built {
        var plan: SigningPlan
        /// Unsigned lines after the last job.
        var trailing: [String]
        var tracking: OwnerTracking
    }

    /// Where an RRset's records are: a range of the request's records, or an own set.
    private struct SetRef {
        var type: RRType
        var ttl: UInt32
        var first: Int32
        var count: Int32
        var own: Int32
    }

    private struct OwnerGroup {
        var name: DomainName
        var sets: [SetRef]
    }

    private let request: SignRequest
    private let splice: Splice?
    private let negativeTTL: UInt32
    private var plan = SigningPlan()
    private var tracking: OwnerTracking
    private var groups: [OwnerGroup] = []
    private var nodes: [DNSSECChain.Node] = []
    private var nodeIndex: [DomainName: Int] = [:]
    private var delegations: Set<DomainName> = []
    /// Unsigned lines waiting for the next job.
    private var before: [String] = []

    /// The plan for signing `r` with `keys`; with `splice`, for its tracked owners only, linked
    /// as its map says. The builder's tables are freed when it returns.
    static func build(_ r: SignRequest, keys: [LoadedKey], splice: Splice?) throws -> Built {
        var builder = try SigningPlanBuilder(r, keys: keys, splice: splice)
        try builder.addOwners()
        if r.nsec3 { try builder.addNSEC3Chain() }
        return try builder.finish()
    }

    private init(_ r: SignRequest, keys: [LoadedKey], splice: Splice?) throws {
        request = r
        self.splice = splice
        let soaMinimum = UInt32(r.soaRDATA.split(separator: " ").last.flatMap { UInt32($0) } ?? 3600)
        negativeTTL = min(soaMinimum, r.soaTTL)
        tracking = OwnerTracking(splice.map { $0.map.owners.map { DomainName(presentation: $0.name) } } ?? r.track)
        plan.records = r.records
        groupOwners(apexSets: try Self.apexSets(r, keys: keys))
        indexNodes()
    }

    /// The apex RRsets the signer makes: SOA, DNSKEY of every signing and published key, CDS and
    /// CDNSKEY, NSEC3PARAM.
    private static func apexSets(_ r: SignRequest, keys: [LoadedKey]) throws -> [(RRType, UInt32, SigningPlan.OwnSet)] {
        var dnskeys = keys.map { $0.dnskeyRDATA }
        for text in r.publishedOnly { dnskeys.append(try Signer.rdataOf(text)) }
        var sets: [(RRType, UInt32, SigningPlan.OwnSet)] = [
            (.soa, r.soaTTL, SigningPlan.OwnSet(rdata: [r.soaRDATA])),
            (.dnskey, r.dnskeyTTL, SigningPlan.OwnSet(rdata: dnskeys)),
        ]
        if r.cdsDelete {
            sets += [
                (
                    .cds, r.dnskeyTTL,
                    SigningPlan.OwnSet(rdata: [try Signer.rdataOf("\(r.origin.fqdn) 0 IN CDS 0 0 0 00")])
                ),
                (
                    .cdnskey, r.dnskeyTTL,
                    SigningPlan.OwnSet(rdata: [try Signer.rdataOf("\(r.origin.fqdn) 0 IN CDNSKEY 0 3 0 AA==")])
                ),
            ]
        } else if !r.cds.isEmpty {
            let cdnskey = try r.cds.map(Signer.rdataOf)
            let cds = try r.cds.map { try Signer.rdataOf(DNSSECKeys.ds(dnskey: $0)) }
            sets += [
                (.cds, r.dnskeyTTL, SigningPlan.OwnSet(rdata: cds)),
                (.cdnskey, r.dnskeyTTL, SigningPlan.OwnSet(rdata: cdnskey)),
            ]
        }
        if r.nsec3 { sets.append((.nsec3param, 0, SigningPlan.OwnSet(rdata: ["1 0 0 -"]))) }
        return sets
    }

    /// RRsets by owner (the records come in canonical order, each RRset together), the apex first.
    private mutating func groupOwners(apexSets: [(RRType, UInt32, SigningPlan.OwnSet)]) {
        let apex = request.origin
        groups = [OwnerGroup(name: apex, sets: [])]
        for (type, ttl, set) in apexSets {
            groups[0].sets.append(SetRef(type: type, ttl: ttl, first: 0, count: 0, own: Int32(plan.own.count)))
            plan.own.append(set)
        }
        let records = request.records
        var i = 0
        while i < records.count {
            let owner = records[i].owner
            var sets: [SetRef] = []
            while i < records.count && records[i].owner == owner {
                let type = records[i].type
                let first = i
                while i < records.count && records[i].type == type && records[i].owner == owner { i += 1 }
                sets.append(
                    SetRef(type: type, ttl: records[first].ttl, first: Int32(first), count: Int32(i - first), own: -1)
                )
            }
            if owner == apex { groups[0].sets += sets } else { groups.append(OwnerGroup(name: owner, sets: sets)) }
        }
        for g in groups { for s in g.sets { plan.mnemonics[s.type.code] = s.type.mnemonic } }
        for t in [RRType.rrsig, .nsec, .nsec3param] { plan.mnemonics[t.code] = t.mnemonic }
    }

    /// The authoritative names (what the chain links) and the delegations among them.
    private mutating func indexNodes() {
        nodes = DNSSECChain.authoritative(
            groups.map { DNSSECChain.Node(name: $0.name, types: $0.sets.map(\.type), delegation: false) },
            apex: request.origin
        )
        delegations = Set(nodes.filter(\.delegation).map(\.name))
        nodeIndex.reserveCapacity(nodes.count)
        for (k, n) in nodes.enumerated() { nodeIndex[n.name] = k }
    }

    /// Every owner's jobs in order, each followed by its NSEC unless the zone uses NSEC3.
    private mutating func addOwners() throws {
        plan.jobs.reserveCapacity(groups.count * 3 + 8)
        for g in groups {
            let cut = delegations.contains(g.name)
            let node = nodeIndex[g.name]
            let ownerText = g.name.fqdn
            let mark = try trackingMark(g.name, authoritative: node != nil && !cut)
            addRRsets(g, ownerText: ownerText, authoritative: node != nil, cut: cut, mark: mark)
            if !request.nsec3, let k = node { try addNSEC(g.name, ownerText: ownerText, node: k, mark: mark) }
        }
    }

    /// The mark of a tracked owner's jobs (-1 for others); a splice tracks every owner it plans.
    private mutating func trackingMark(_ name: DomainName, authoritative: Bool) throws -> Int32 {
        if let t = tracking.index[name], authoritative {
            tracking.trackable[t] = true
            return Int32(2 * t)
        }
        if splice != nil { throw Splice.refused("\(name) is not a tracked authoritative name") }
        return -1
    }

    /// One job per RRset the owner signs, the SOA first, then by type code; RRsets it does not
    /// sign (glue, occluded data below a cut) become unsigned lines.
    private mutating func addRRsets(_ g: OwnerGroup, ownerText: String, authoritative: Bool, cut: Bool, mark: Int32) {
        func order(_ t: RRType) -> Int { t == .soa ? -1 : Int(t.code) }
        for s in g.sets.sorted(by: { order($0.type) < order($1.type) }) {
            if !authoritative || (cut && s.type != .ds) {
                let texts =
                    s.own >= 0
                    ? plan.own[Int(s.own)].rdata
                    : (Int(s.first)..<Int(s.first + s.count)).map { request.records[$0].rdata }
                before += texts.map { "\(ownerText)\t\(s.ttl)\tIN\t\(s.type.mnemonic)\t\($0)" }
                continue
            }
            let keySet = g.name == request.origin && [.dnskey, .cds, .cdnskey].contains(s.type)
            let before = flushBefore()
            plan.jobs.append(
                SigningJob(
                    owner: g.name,
                    ownerText: ownerText,
                    type: s.type,
                    ttl: s.ttl,
                    first: s.first,
                    count: s.count,
                    own: s.own,
                    keySet: keySet,
                    before: before,
                    mark: mark
                )
            )
        }
    }

    /// The owner's NSEC, kept as the next name and a type bitmap (a splice keeps the next name
    /// its map recorded).
    private mutating func addNSEC(_ name: DomainName, ownerText: String, node k: Int, mark: Int32) throws {
        var link = DNSSECChain.nsec(nodes, k)
        if let splice {
            guard let next = splice.map.owners[Int(mark / 2)].next else {
                throw Splice.refused("no NSEC link for \(name)")
            }
            link.next = DomainName(presentation: next)
        }
        if mark >= 0 { tracking.nextName[Int(mark / 2)] = link.next!.fqdn }
        let before = flushBefore()
        var job = SigningJob(
            owner: name,
            ownerText: ownerText,
            type: .nsec,
            ttl: negativeTTL,
            next: link.next,
            keySet: false,
            before: before,
            mark: mark
        )
        var others: [UInt16] = []
        for t in link.types {
            if t.code < 64 {
                job.typeBits |= 1 << UInt64(t.code)
            } else if !others.contains(t.code) {
                others.append(t.code)
            }
        }
        if !others.isEmpty {
            job.otherTypes = Int32(plan.otherTypes.count)
            plan.otherTypes.append(others.sorted())
        }
        plan.jobs.append(job)
    }

    /// The NSEC3 records, in hash order, after every other job.
    private mutating func addNSEC3Chain() throws {
        let links: [(link: DNSSECChain.Link, mark: Int32)]
        if let splice { links = try splicedNSEC3Links(splice) } else { links = fullNSEC3Links() }
        for (link, mark) in links {
            let rdata = "1 0 0 - \(DNSSECWire.base32hex(link.nextHash)) \(DNSSECChain.typeList(link.types))"
            let wire = DNSSECWire.nsec3RDATA(nextHash: link.nextHash, types: link.types.map(\.code))
            plan.own.append(SigningPlan.OwnSet(rdata: [rdata], wire: [wire]))
            let before = flushBefore()
            plan.jobs.append(
                SigningJob(
                    owner: link.owner,
                    ownerText: link.owner.fqdn,
                    type: .nsec3,
                    ttl: negativeTTL,
                    own: Int32(plan.own.count - 1),
                    keySet: false,
                    before: before,
                    mark: mark
                )
            )
        }
    }

    /// The whole chain; the tracked owners' links are marked and their next hashes noted.
    private mutating func fullNSEC3Links() -> [(link: DNSSECChain.Link, mark: Int32)] {
        var hashed: [String: Int] = [:]
        for (t, name) in tracking.names.enumerated() where tracking.trackable[t] {
            hashed[DNSSECWire.base32hex(Signer.sha1(DNSSECWire.canonicalName(name)))] = t
        }
        var links: [(link: DNSSECChain.Link, mark: Int32)] = []
        for link in DNSSECChain.nsec3(nodes, apex: request.origin, hash: Signer.sha1) {
            let t = hashed.isEmpty ? nil : hashed[link.owner.labels[0]]
            if let t { tracking.nextHash[t] = hexString(link.nextHash) }
            links.append((link, t.map { Int32(2 * $0 + 1) } ?? -1))
        }
        return links
    }

    /// Only the tracked owners' NSEC3 records, each keeping the next hash its map recorded.
    private mutating func splicedNSEC3Links(_ splice: Splice) throws -> [(link: DNSSECChain.Link, mark: Int32)] {
        var mine: [(hash: [UInt8], link: DNSSECChain.Link, mark: Int32)] = []
        for node in nodes {
            guard let t = tracking.index[node.name],
                let next = splice.map.owners[t].nsec3Next.flatMap({ bytes(hex: $0) })
            else {
                throw Splice.refused("no NSEC3 link for \(node.name)")
            }
            let hash = Signer.sha1(DNSSECWire.canonicalName(node.name))
            let link = DNSSECChain.Link(
                owner: DNSSECChain.nsec3Owner(hash, apex: request.origin),
                next: nil,
                nextHash: next,
                types: DNSSECChain.nsec3Types(node, apex: request.origin)
            )
            mine.append((hash, link, Int32(2 * t + 1)))
            tracking.nextHash[t] = hexString(next)
        }
        return mine.sorted { $0.hash.lexicographicallyPrecedes($1.hash) }.map { ($0.link, $0.mark) }
    }

    /// The unsigned lines waiting so far, handed to the next job (-1: none).
    private mutating func flushBefore() -> Int32 {
        guard !before.isEmpty else { return -1 }
        plan.before.append(before)
        before = []
        return Int32(plan.before.count - 1)
    }

    /// The plan; a splice must have planned exactly its tracked owners and nothing unsigned.
    private func finish() throws -> Built {
        if splice != nil && (!before.isEmpty || !plan.before.isEmpty || tracking.trackable.contains(false)) {
            throw Splice.refused("the tracked owners do not match the zone")
        }
        return Built(plan: plan, trailing: before, tracking: tracking)
    }
}
