import Foundation

/// The zone-build planner's answer: builds due at `now`, in order, and when to run next (nil: nothing is
/// scheduled; only a policy or template change creates work).
public struct ZoneBuildPlan: Sendable, Equatable {
    public var actions: [ZoneBuildAction]
    public var nextWake: Date?
}
