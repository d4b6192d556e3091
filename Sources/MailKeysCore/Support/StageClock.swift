/// Wall-clock stage timing for diagnostics (monotonic clock).
public struct StageClock: Sendable {
    public private(set) var stages: [(String, Double)] = []
    var last = ContinuousClock.now
    public init() {}
    /// Records the time since the previous mark under `name`.
    public mutating func mark(_ name: String) {
        let now = ContinuousClock.now
        let d = (now - last).components
        stages.append((name, Double(d.seconds) + Double(d.attoseconds) / 1e18))
        last = now
    }
    /// Appends stages measured elsewhere and restarts the interval.
    public mutating func append(_ more: [(String, Double)]) {
        stages += more
        last = ContinuousClock.now
    }
}
