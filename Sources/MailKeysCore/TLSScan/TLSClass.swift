/// The four classes of the NCSC TLS guidelines that internet.nl grades by: a server with an
/// insufficient setting fails the test, a phase-out one passes with a warning.
public enum TLSClass: Int, Sendable, Comparable, CustomStringConvertible {
    case good, sufficient, phaseOut, insufficient

    public static func < (a: TLSClass, b: TLSClass) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .good: return "good"
        case .sufficient: return "sufficient"
        case .phaseOut: return "phase out"
        case .insufficient: return "insufficient"
        }
    }
}
