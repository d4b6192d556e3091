import Foundation

/// One zone build `tick` has to do now.
public enum ZoneBuildAction: Sendable, Equatable, CustomStringConvertible {
    /// Write the zone of `domain` (with a new serial when the content changed).
    case buildZone(domain: DomainName, reason: String)

    public var description: String {
        switch self {
        case .buildZone(let d, let reason): return "build zone \(d): \(reason)"
        }
    }
}
