import Foundation

/// What a planner decides at one `now`, the same shape for every planner (``DKIMPlanner``,
/// ``DNSSECPlanner``, ``ZoneBuildPlanner``): the transitions due now in the order to apply them,
/// the earliest future transition with what it is, and requests that changed nothing.
public struct KeyPlan<Action: Sendable & Equatable>: Sendable, Equatable {
    /// The transitions due now, in the order to apply them (all at `now`).
    public var actions: [Action]
    /// The earliest future transition (nil: none is scheduled).
    public var wake: Wake?
    /// Requests that changed nothing, and why (e.g. `rotate ksk` during a rollover, a clock
    /// earlier than the recorded steps).
    public var notes: [String]

    public init(actions: [Action] = [], wake: Wake? = nil, notes: [String] = []) {
        self.actions = actions
        self.wake = wake
        self.notes = notes
    }

    /// When the earliest future transition falls due.
    public var nextWake: Date? { wake?.at }
}
