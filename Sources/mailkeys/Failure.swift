import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

/// Prints a report; an error becomes one line on stderr and a thrown ``ExitCode`` (see
/// ``exitCode(for:)``).
func perform(json: Bool = false, _ body: () throws -> Report) throws {
    try bootstrapLogging()
    do {
        let report = try body()
        if json { print(ReportJSON.render(report)) } else { show(report) }
    } catch let e as RunFailure {
        // What the run committed before it failed, then the failure.
        if json { print(ReportJSON.render(e.report, error: message(for: e.error))) } else { show(e.report) }
        throw failure(e.error)
    } catch {
        if json { print(ReportJSON.render(Report(), error: message(for: error))) }
        throw failure(error)
    }
}

/// Prints a report: its warnings on standard error, its lines on standard output.
private func show(_ report: Report) {
    for w in report.warnings { FileHandle.standardError.write(Data("\(Journal.prefix(4))warning: \(w)\n".utf8)) }
    for l in report.lines { print(l) }
}

/// Sends swift-log output to standard error at `MAILKEYS_LOG_LEVEL` (trace, debug, info, notice,
/// warning, error (default), critical); a bad value is an error.
func bootstrapLogging() throws {
    let text = ProcessInfo.processInfo.environment["MAILKEYS_LOG_LEVEL"] ?? "error"
    guard let level = Logger.Level(rawValue: text.lowercased()) else {
        throw failure(
            HomeError(
                .usage,
                "MAILKEYS_LOG_LEVEL=\(Quote.short(text)) is not one of trace, debug, info, notice, warning, error, critical"
            )
        )
    }
    LoggingSystem.bootstrap { label in
        if Journal.stderr {
            var handler = JournalLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}

/// Prints `error` as one line on stderr and gives the exit status for it: 64 (EX_USAGE) for a
/// usage error, 75 (EX_TEMPFAIL) when another run holds the lock, 77 (EX_NOPERM) for an unsafe
/// home, 1 otherwise. The caller throws it, and ArgumentParser exits with it.
func failure(_ error: Error) -> ExitCode {
    if let code = error as? ExitCode { return code }
    FileHandle.standardError.write(Data("\(Journal.prefix(3))mailkeys: error: \(message(for: error))\n".utf8))
    return exitCode(for: error)
}

/// The error's one line: a layer's reason (``MailKeysError``), else its description.
func message(for error: Error) -> String {
    switch error {
    case let e as MailKeysError: return e.reason
    case let e as CustomStringConvertible: return e.description
    default: return "\(error)"
    }
}

func exitCode(for error: Error) -> ExitCode {
    guard let e = error as? HomeError else { return ExitCode(1) }
    switch e.code {
    case .locked: return ExitCode(75)
    case .usage: return ExitCode(64)
    case .unsafe: return ExitCode(77)
    default: return ExitCode(1)
    }
}
