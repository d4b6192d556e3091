import Foundation
import Logging

/// swift-log lines for the journal: the syslog priority of the level as a `<N>` prefix, no
/// timestamp (the journal keeps its own), then the level, the label and the message with its
/// metadata, as `StreamLogHandler` writes them.
struct JournalLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .error
    var metadata: Logger.Metadata = [:]

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The syslog priority of a swift-log level (sd-daemon(3)).
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields =
            all.isEmpty
            ? ""
            : " "
                + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: " ")
        let text = "\(event.message)".split(separator: "\n", omittingEmptySubsequences: false)
            .map { "<\(Self.priority(event.level))>\(event.level) \(label):\(fields) \($0)\n" }.joined()
        FileHandle.standardError.write(Data(text.utf8))
    }
}
