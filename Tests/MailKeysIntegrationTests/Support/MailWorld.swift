import Foundation
import Testing

/// The loopback mail world of `Scripts/mailworld.sh`, in a network namespace of its own: NSD
/// serving the home's signed zone, unbound validating from the home's trust anchor, a sending
/// Postfix (`smtp_tls_security_level = dane`) with the DKIM signer as milter (two OpenDKIM
/// instances or rspamd, reading the home's files as the README tells users to set them up), and
/// a receiving Postfix at the MX address 127.0.0.2:25 serving the certificate mailkeys installed.
/// Stopped with the object.
final class MailWorld {
    let work: URL
    let home: URL
    private var running = false

    /// A delivery: the delivered file and the sending Postfix's TLS line for it.
    struct Delivery {
        let file: URL
        let tls: String
    }

    /// Extra environment for the script, e.g. `MAILWORLD_OPENDKIM_USER`, `MAILWORLD_REQUIRE_SAFE_KEYS`.
    private let environment: [String: String]

    init(home: URL, signer: String, environment: [String: String] = [:]) throws {
        self.home = home
        self.environment = environment
        work = try Support.scratch("mailworld")
        running = true
        let r = try run(["up", work.path, home.path, signer])
        guard r.status == 0 else {
            _ = try? run(["down", work.path])
            running = false
            throw Support.Failure("mailworld up (\(signer)): \(r.stdout)\(r.stderr)")
        }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scripts/mailworld.sh").path

    /// Runs the script with its output in files, not pipes: a daemon it starts that kept a
    /// pipe open would otherwise keep the test waiting for end of file.
    @discardableResult
    private func run(_ args: [String]) throws -> Support.Result {
        let out = work.appendingPathComponent(".out-\(UUID().uuidString.prefix(8))")
        let r = try Support.exec(
            "/bin/sh",
            [
                "-c", "out=$1; shift; exec /usr/bin/timeout 300 /bin/bash \"$@\" >\"$out\" 2>\"$out.err\" </dev/null",
                "sh", out.path, Self.script,
            ]
                + args,
            environment: environment.merging(["MAILKEYS_BIN": try Support.binary]) { $1 }
        )
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(atPath: out.path + ".err")
        }
        return Support.Result(
            status: r.status,
            stdout: (try? Support.read(out)) ?? "",
            stderr: ((try? String(contentsOfFile: out.path + ".err", encoding: .utf8)) ?? "") + r.stderr
        )
    }

    /// Serves the home's current signed zone, flushes the resolver and Postfix's TLSA cache,
    /// reloads the receiver's certificate and the signers' tables.
    func reload() throws {
        let r = try run(["dns", work.path, home.path])
        guard r.status == 0 else { throw Support.Failure("mailworld dns: \(r.stdout)\(r.stderr)") }
    }

    /// Sends one message; returns its delivery, or nil when the sender deferred it (`why` gets
    /// the sender's log lines).
    func send(_ tag: String, why: inout String) throws -> Delivery? {
        try delivery(try run(["send", work.path, tag]), tag, why: &why)
    }

    private func delivery(_ r: Support.Result, _ tag: String, why: inout String) throws -> Delivery? {
        if r.status == 3 {
            why = r.stderr
            return nil
        }
        let lines = r.stdout.split(separator: "\n").map(String.init)
        guard r.status == 0, lines.count >= 2 else {
            throw Support.Failure("mailworld send \(tag): \(r.status) \(r.stdout)\(r.stderr)")
        }
        return Delivery(file: URL(fileURLWithPath: lines[0]), tls: lines[1])
    }

    /// Each DKIM signature of `file` as `a=ALG s=SELECTOR pass|fail ...`, verified by dkimpy
    /// against DNS through the validating resolver; `ok` when there is one and all pass.
    func verify(_ file: URL) throws -> (ok: Bool, lines: [String]) {
        let r = try run(["verify", work.path, file.path])
        return (r.status == 0, (r.stdout + r.stderr).split(separator: "\n").map(String.init))
    }

    /// Retries the sender's deferred mail and waits for the message `tag` like ``send(_:why:)``.
    func flush(_ tag: String, why: inout String) throws -> Delivery? {
        try delivery(try run(["flush", work.path, tag]), tag, why: &why)
    }

    deinit {
        if running { _ = try? run(["down", work.path]) }
    }
}
