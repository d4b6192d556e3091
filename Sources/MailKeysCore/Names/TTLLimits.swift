import Foundation

/// Limits on TTLs mailkeys accepts: at least a minute (so caches are not hammered), at most a
/// week (so every rollover that waits on a TTL finishes in reasonable time; RFC 2181's hard limit
/// is 2^31-1 but resolvers cap at a week anyway).
public enum TTLLimits {
    public static let range: ClosedRange<Int> = 60...604_800

    /// Validates `seconds` as the TTL named `what`.
    public static func check(_ seconds: Int, _ what: String) throws -> UInt32 {
        guard range.contains(seconds) else {
            throw CoreError(
                .invalidTTL,
                "\(what): TTL \(seconds) s is out of range \(range.lowerBound)...\(range.upperBound) s (1 minute to 1 week)"
            )
        }
        return UInt32(seconds)
    }
}
