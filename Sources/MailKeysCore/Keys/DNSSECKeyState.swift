import Foundation

/// Where a DNSSEC key is in its life, derived from its recorded timestamps (as Knot derives a
/// key's state from its timers): the latest step the key has reached. The cases are in the
/// order of a rollover; the raw values are what `status` shows.
public enum DNSSECKeyState: String, Sendable, CaseIterable {
    /// Generated; its DNSKEY is not in the zone.
    case created
    /// Its DNSKEY is in the zone. A ZSK does not sign yet; a new KSK/CSK signs the DNSKEY RRset
    /// only (double signature).
    case published
    /// A new KSK/CSK whose DNSKEY is in every cache: its CDS/CDNSKEY are published next to the
    /// current key's, and its DS may go to the parent.
    case ready
    /// A new KSK/CSK whose DS was seen at the parent; it takes over once the parent's DS TTL and
    /// propagation have passed.
    case dsSeen = "ds-seen"
    /// It signs: a ZSK or CSK the zone data, a KSK or CSK the DNSKEY RRset.
    case active
    /// It no longer signs; its DNSKEY stays while cached signatures may still need it.
    case retired
    /// Its DNSKEY has left the zone.
    case removed
}

extension DNSSECKey {
    /// The state from every recorded timestamp: the latest step recorded, whatever the clock.
    /// `state == .active` is `active != nil && retired == nil && removed == nil`, and so on up
    /// the order of ``DNSSECKeyState``.
    public var state: DNSSECKeyState { derivedState { $0 != nil } }

    /// The state at `now` from the timestamps that are not after `now`: a step recorded for a
    /// later time has not happened yet at `now`.
    public func state(at now: Date) -> DNSSECKeyState {
        derivedState { $0.map { $0 <= now } ?? false }
    }

    /// The latest step for which `reached` holds, removal first.
    private func derivedState(_ reached: (Date?) -> Bool) -> DNSSECKeyState {
        if reached(removed) { return .removed }
        if reached(retired) { return .retired }
        if reached(active) { return .active }
        if reached(dsSeen) { return .dsSeen }
        if reached(ready) { return .ready }
        if reached(published) { return .published }
        return .created
    }
}
