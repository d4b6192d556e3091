import Foundation

/// Running programs: peers, scripts and the `mailkeys` binary, with both output streams drained.
extension Support {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The signal that ended the process (then `status` is the signal number), nil on exit.
        var signal: Int32? = nil
    }

    /// Standard error, read on its own thread while standard output is read.
    private final class Drain: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }

    /// Runs `program` with `arguments`, waits for it, returns its exit status and output.
    @discardableResult
    static func exec(_ program: String, _ arguments: [String], environment: [String: String]? = nil, cwd: URL? = nil)
        throws -> Result
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        if let environment {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Both pipes are drained at once: a child that fills one (64 KB of errors) while the
        // other is read would otherwise block forever.
        let drain = Drain()
        let errHandle = err.fileHandleForReading
        Thread.detachNewThread {
            drain.data = errHandle.readDataToEndOfFile()
            drain.done.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        drain.done.wait()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: drain.data, as: UTF8.self),
            signal: p.terminationReason == .uncaughtSignal ? p.terminationStatus : nil
        )
    }

    /// Runs the mailkeys binary.
    @discardableResult
    static func mailkeys(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        try exec(try binary, arguments, environment: environment)
    }
}
