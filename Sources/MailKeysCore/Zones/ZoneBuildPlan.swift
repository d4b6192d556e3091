/// The zone-build planner's answer: builds due at `now`, in order (no wake: only a policy or
/// template change, or a key event planned elsewhere, creates work).
public typealias ZoneBuildPlan = KeyPlan<ZoneBuildAction>
