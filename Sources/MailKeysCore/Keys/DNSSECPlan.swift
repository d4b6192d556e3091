import Foundation

/// What the DNSSEC planner decides at one `now`.
public struct DNSSECPlan: Sendable, Equatable {
    /// The transitions due now, in the order to apply them (all at `now`).
    public var actions: [DNSSECAction]
    /// The earliest future transition (nil: none is scheduled). A rollover waiting for its DS to
    /// be seen at the parent has no wake for that step: it waits on the operator.
    public var nextWake: Date?
    /// New KSKs/CSKs (once `actions` are applied) whose CDS/CDNSKEY are published and whose DS
    /// nobody has marked seen: status should say "waiting for DS of key N at the parent (run
    /// `mailkeys ds seen DOMAIN N` once the registrar shows it)".
    public var waitingForDS: [UInt16]
    /// Requests that changed nothing, and why (`rotate ksk` during a rollover, a clock earlier
    /// than the recorded steps).
    public var notes: [String]

    public init(actions: [DNSSECAction] = [], nextWake: Date? = nil, waitingForDS: [UInt16] = [], notes: [String] = [])
    {
        self.actions = actions
        self.nextWake = nextWake
        self.waitingForDS = waitingForDS
        self.notes = notes
    }
}
