import Foundation

/// Parsing of time spans written in the policy: an integer number of seconds, or a string of
/// number–unit pairs such as `"90d"`, `"1h30m"`, `"2w"` (units s, m, h, d, w).
public enum TimeSpan {
    /// Seconds in `text`; throws on an empty string, an unknown unit or a missing number.
    public static func seconds(_ text: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty else { throw CoreError(.invalidDuration, "empty duration") }
        if let plain = Int(trimmed) {
            guard plain >= 0 else { throw CoreError(.invalidDuration, "duration \(Quote.short(text)) is negative") }
            return plain
        }
        var total = 0
        var number = ""
        for ch in trimmed {
            if ch.isASCII && ch.isNumber {
                number.append(ch)
                continue
            }
            let unit: Int
            switch ch {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            case "w": unit = 604800
            default:
                throw CoreError(
                    .invalidDuration,
                    "duration \(Quote.short(text)): unknown unit \(Quote.short(String(ch))) (use s, m, h, d or w)"
                )
            }
            guard !number.isEmpty else {
                throw CoreError(
                    .invalidDuration,
                    "duration \(Quote.short(text)): a number must come before \(Quote.short(String(ch)))"
                )
            }
            guard let n = Int(number), n <= 100_000_000 else {
                throw CoreError(
                    .invalidDuration,
                    "duration \(Quote.short(text)): the number \(Quote.bare(number)) is too large"
                )
            }
            total += n * unit
            number = ""
        }
        guard number.isEmpty else {
            throw CoreError(
                .invalidDuration,
                "duration \(Quote.short(text)): \(Quote.short(number)) has no unit (use s, m, h, d or w)"
            )
        }
        return total
    }

    /// A short human form: `1h`, `7d`, `1h30m`, `45s`.
    public static func format(_ seconds: Int) -> String {
        if seconds == 0 { return "0s" }
        var rest = seconds
        var out = ""
        for (unit, size) in [("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            if unit == "w" && rest % size != 0 { continue }
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }
}
