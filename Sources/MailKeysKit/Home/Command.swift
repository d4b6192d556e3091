import Foundation

/// Runs a program from an argv list, never through a shell.
enum Command {
    /// What a program left: its exit status and its standard output and error, together.
    struct Outcome {
        var status: Int32
        var output: String

        /// The output's last line for a failure message (`: <line>`), or "" when it printed nothing.
        var detail: String {
            let last = output.split(whereSeparator: \.isNewline).last {
                !$0.trimmingCharacters(in: .whitespaces).isEmpty
            }
            return last.map { ": " + String($0.trimmingCharacters(in: .whitespaces).prefix(200)) } ?? ""
        }
    }

    /// Runs `argv` with no input; what it prints is captured (and logged), never mixed into
    /// mailkeys' own output (`nsd-control reload` prints `ok`).
    static func run(_ argv: [String]) throws -> Outcome {
        let p = Process()
        if argv[0].hasPrefix("/") {
            p.executableURL = URL(fileURLWithPath: argv[0])
            p.arguments = Array(argv.dropFirst())
        } else {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = argv
        }
        p.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        // Read to the end before waiting: a program that fills the pipe would block otherwise.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        if !output.isEmpty {
            Log.logger.info(
                "command output",
                metadata: ["argv": "\(argv.joined(separator: " "))", "output": "\(output)"]
            )
        }
        return Outcome(status: p.terminationStatus, output: output)
    }
}
