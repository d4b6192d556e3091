import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// `mailkeys plan`: the real planners run on a virtual clock from `now`, over the store's keys,
/// without writing anything.
public struct Timeline: Sendable {
    /// One coming event.
    public struct Event: Sendable, Equatable {
        public var at: Date
        public var domain: String
        /// dkim, dnssec, tls, zone, export.
        public var kind: String
        /// The key or thing it concerns (selector, key tag, host, zone).
        public var subject: String
        public var detail: String
    }

    /// A key's states over the window, for the SVG lanes.
    public struct Lane: Sendable {
        public var domain: String
        public var label: String
        /// (state, from, to): `published`, `active`, `retired`, `pending`, `served`.
        public var spans: [(state: String, from: Date, to: Date)]
    }

    public var from: Date
    public var to: Date
    public var events: [Event] = []
    public var lanes: [Lane] = []

    /// `plan --json`: `from`, `to` and `events` (each with `at`, `domain`, `kind`, `subject`,
    /// `detail`), times as RFC 3339.
    public var json: String {
        struct Doc: Encodable {
            struct E: Encodable { var at, domain, kind, subject, detail: String }
            var from, to: String
            var events: [E]
        }
        let doc = Doc(
            from: RunClock.format(from),
            to: RunClock.format(to),
            events: events.map {
                .init(
                    at: RunClock.format($0.at),
                    domain: $0.domain,
                    kind: $0.kind,
                    subject: $0.subject,
                    detail: $0.detail
                )
            }
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(doc)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The table `plan` prints.
    public var table: String {
        var out = "plan from \(RunClock.format(from)) to \(RunClock.format(to))\n"
        out += "time                  domain        kind    subject              event\n"
        for e in events {
            out +=
                RunClock.format(e.at).padding(toLength: 22, withPad: " ", startingAt: 0)
                + e.domain.padding(toLength: 14, withPad: " ", startingAt: 0)
                + e.kind.padding(toLength: 8, withPad: " ", startingAt: 0)
                + e.subject.padding(toLength: 21, withPad: " ", startingAt: 0) + e.detail + "\n"
        }
        if events.isEmpty { out += "nothing happens in this window\n" }
        return out
    }

    /// The timeline as an SVG: one lane per key, states as coloured bars, events as ticks, `now`
    /// marked with a red line.
    public var svg: String {
        let width = 1100.0
        let left = 260.0
        let laneHeight = 22.0
        let top = 40.0
        let height = top + Double(lanes.count) * laneHeight + 44
        let span = max(to.timeIntervalSince(from), 1)
        func x(_ d: Date) -> Double { left + (width - left - 20) * min(max(d.timeIntervalSince(from) / span, 0), 1) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        let colours = [
            "published": "#f2c14e", "active": "#3c9d5d", "retired": "#9e9e9e", "pending": "#e07a5f",
            "served": "#3c78d8",
        ]
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <title>mailkeys plan \(RunClock.format(from)) to \(RunClock.format(to))</title>
            <rect x="0" y="0" width="\(Int(width))" height="\(Int(height))" fill="#ffffff"/>

            """
        // Month ticks.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var tick = calendar.date(from: calendar.dateComponents([.year, .month], from: from))!
        while tick <= to {
            if tick >= from {
                out +=
                    "<line x1=\"\(x(tick))\" y1=\"\(top - 10)\" x2=\"\(x(tick))\" y2=\"\(height - 30)\" stroke=\"#dddddd\"/>\n"
                let label = String(RunClock.format(tick).prefix(7))
                // A label near the right edge ends at its line instead of running off the image.
                let anchor = x(tick) + 56 > width ? " text-anchor=\"end\"" : ""
                let at = anchor.isEmpty ? x(tick) + 2 : x(tick) - 2
                out += "<text x=\"\(at)\" y=\"\(top - 14)\" fill=\"#555555\"\(anchor)>\(label)</text>\n"
            }
            tick = calendar.date(byAdding: .month, value: 1, to: tick)!
        }
        for (i, lane) in lanes.enumerated() {
            let y = top + Double(i) * laneHeight
            out += "<text x=\"6\" y=\"\(y + 15)\">\(esc(lane.domain)) \(esc(lane.label))</text>\n"
            for s in lane.spans where s.to > s.from {
                let w = max(x(s.to) - x(s.from), 1)
                out +=
                    "<rect x=\"\(x(s.from))\" y=\"\(y + 4)\" width=\"\(w)\" height=\"\(laneHeight - 8)\" fill=\"\(colours[s.state] ?? "#cccccc")\"><title>\(esc(s.state)) \(RunClock.format(s.from)) – \(RunClock.format(s.to))</title></rect>\n"
            }
        }
        out +=
            "<line x1=\"\(x(from))\" y1=\"\(top - 10)\" x2=\"\(x(from))\" y2=\"\(height - 30)\" stroke=\"#d00000\" stroke-width=\"2\"/>\n"
        // "now" sits above the month labels, clear of them and of the legend at the bottom.
        out += "<text x=\"\(x(from) + 3)\" y=\"\(top - 28)\" fill=\"#d00000\">now</text>\n"
        var legend = left
        for (state, colour) in colours.sorted(by: { $0.key < $1.key }) {
            out +=
                "<rect x=\"\(legend)\" y=\"\(height - 26)\" width=\"12\" height=\"12\" fill=\"\(colour)\"/><text x=\"\(legend + 16)\" y=\"\(height - 16)\">\(state)</text>\n"
            legend += 110
        }
        return out + "</svg>\n"
    }
}
