/// What the DNSSEC planner decides at one `now`. A rollover waiting for its DS to be seen at the
/// parent has no wake for that step: it waits on the operator.
public typealias DNSSECPlan = KeyPlan<DNSSECAction>

extension KeyPlan where Action == DNSSECAction {
    /// New KSKs/CSKs (once `actions` are applied to `keys`, the keys planned from) whose CDS and
    /// CDNSKEY are published and whose DS nobody has marked seen: status says "waiting for DS of
    /// key N at the parent (run `mailkeys ds seen DOMAIN N` once the registrar shows it)".
    public func waitingForDS(keys: [DNSSECKey]) -> [UInt16] {
        DNSSECPlanner.waitingForDS(keys: keys) + actions.compactMap { if case .ready(let t) = $0 { t } else { nil } }
    }
}
