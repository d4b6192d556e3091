import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// The commit protocol of a run. Every file a run publishes is first written whole (and fsynced)
/// under a staging directory of the home (`Keys/.staging/`, `Zones/.staging/`, 0700); the store
/// transaction that commits the new state records, in the same transaction, the steps that put
/// the files in place (``IntentStep``: renames, copies, links, deletions, reloads); the steps are
/// taken right after the commit and the intent cleared. A run that dies before its commit leaves
/// staged files only, which the next run deletes (nothing happened); one that dies after it leaves
/// an intent, which the next run completes before anything else (``recover(_:store:)``). So the
/// published files and the store always agree once a run has started.
final class Journal {
    let home: Home
    private(set) var steps: [IntentStep] = []
    /// Staged files not yet renamed into place, by staged path (removed if the run fails).
    private var staged: Set<String> = []
    /// Streamed files the signer wrote, kept alive until they are renamed (their deinit would
    /// remove them).
    private var streams: [StagedFile] = []
    private var sequence = 0
    /// The zone writers stage files from several threads: every change of the lists above
    /// holds it (files are written outside it).
    private let lock = NSLock()

    init(_ home: Home) { self.home = home }

    var isEmpty: Bool { steps.isEmpty }

    /// A fresh staging path for `target` (which must lie under `Keys/` or `Zones/`).
    func stagingPath(for target: URL) throws -> String {
        guard let dir = home.staging(for: target) else {
            throw HomeError(
                .io,
                "internal error: \(target.path) lies outside the home's Keys/ and Zones/; it cannot be staged"
            )
        }
        return try lock.withLock {
            try Directory.make(dir, mode: 0o700)
            sequence += 1
            return "\(dir.path)/\(getpid()).\(sequence).\(target.lastPathComponent)"
        }
    }

    /// Writes `bytes` to a staging file (mode and group as the target gets them) and schedules its
    /// rename over `target`.
    func stage(_ bytes: UnsafeRawBufferPointer, to target: URL, mode: mode_t = 0o644, group: gid_t? = nil) throws {
        let path = try stagingPath(for: target)
        _ = lock.withLock { staged.insert(path) }
        try AtomicFile.writeFile(bytes: bytes, at: path, mode: mode, group: group, shown: target.path)
        let step = IntentStep(
            .rename,
            source: path,
            target: target.path,
            hash: Digest.sha256Hex(bytes.bindMemory(to: UInt8.self))
        )
        append(step)
    }

    func stage(_ text: String, to target: URL, mode: mode_t = 0o644, group: gid_t? = nil) throws {
        var text = text
        try text.withUTF8 { try stage(UnsafeRawBufferPointer($0), to: target, mode: mode, group: group) }
    }

    func stage(bytes: [UInt8], to target: URL, mode: mode_t = 0o644) throws {
        try bytes.withUnsafeBytes { try stage($0, to: target, mode: mode) }
    }

    /// A file the signer streams into, staged for `target`; ``adopt(_:)`` schedules its rename.
    func stream(to target: URL) throws -> StagedFile {
        let path = try stagingPath(for: target)
        _ = lock.withLock { staged.insert(path) }
        return try StagedFile(target: target, temp: path)
    }

    /// Schedules the rename of a finished streamed file.
    func adopt(_ file: StagedFile) throws {
        let hash = try file.finish()
        lock.withLock {
            streams.append(file)
            steps.append(IntentStep(.rename, source: file.temp, target: file.target.path, hash: hash))
        }
    }

    func copy(_ source: URL, to target: URL) {
        append(IntentStep(.copy, source: source.path, target: target.path))
    }
    func delete(_ target: URL) { append(IntentStep(.delete, target: target.path)) }
    /// An existing file or directory moved to `target` (no hash: it is moved as it is; once moved,
    /// taking the step again does nothing).
    func move(_ source: URL, to target: URL) {
        append(IntentStep(.rename, source: source.path, target: target.path))
    }
    func symlink(_ target: URL, to destination: String) {
        append(IntentStep(.symlink, source: destination, target: target.path))
    }
    func prune(_ dir: URL, keeping prefix: String) {
        append(IntentStep(.prune, source: prefix, target: dir.path))
    }

    private func append(_ step: IntentStep) { lock.withLock { steps.append(step) } }

    /// Runs `argv` once every file is in place; `label` starts its failure message.
    func run(_ argv: [String], label: String) {
        let json = String(decoding: (try? JSONEncoder().encode(argv)) ?? Data("[]".utf8), as: UTF8.self)
        append(IntentStep(.run, source: json, target: label))
    }

    /// The store has committed the intent: from now on the staged files belong to it (the next
    /// run renames them if this one cannot), so nothing may remove them.
    func sealed() {
        for file in streams { file.detach() }
        staged = []
    }

    /// Removes what was staged: the run failed before its commit.
    func abandon() {
        for path in staged { unlink(path) }
        staged = []
        streams = []
        steps = []
    }

    /// Takes the committed steps and clears the intent; the lines say what a reload did. A
    /// failed file step throws (the intent stays, the next run completes it); a failed reload is
    /// reported after everything else is done.
    func apply(_ store: Store) throws -> [String] {
        let out = try Journal.take(steps, home: home, recovering: false)
        streams = []
        staged = []
        steps = []
        try store.clearIntent()
        if let failure = out.failures.first { throw HomeError(.io, failure) }
        return out.lines
    }

    /// Completes what a run that died after its commit left (its intent), then deletes whatever
    /// the staging directories still hold (files of runs that died before their commit). The
    /// lines report what was done; an idle home costs two directory reads.
    static func recover(_ home: Home, store: Store) throws -> Report {
        var report = Report()
        let intent = try store.intent()
        if !intent.isEmpty {
            let out = try take(intent, home: home, recovering: true)
            try store.clearIntent()
            report.lines.append("completed the \(intent.count) file steps of a run that stopped after its commit")
            report.lines += out.lines
            report.warnings += out.failures
        }
        var swept = 0
        for dir in [home.keysStaging, home.zonesStaging] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            for name in names {
                if FaultPoint.hit("unlink") {
                    throw HomeError(.io, "cannot remove \(dir.path)/\(name): \(String(cString: strerror(errno)))")
                }
                if unlink("\(dir.path)/\(name)") == 0 { swept += 1 }
            }
        }
        if swept > 0 {
            report.lines.append(
                "removed \(swept) staged file\(swept == 1 ? "" : "s") of a run that stopped before its commit"
            )
        }
        return report
    }

    /// The order steps are taken in: files into place, then links to them, then deletions
    /// (a revealed key is copied before its source goes), then reloads.
    static let phases: [Set<IntentStep.Operation>] = [[.rename, .copy], [.symlink], [.delete, .prune]]

    /// Takes `steps` phase by phase, in recorded order within a phase (every one idempotent).
    static func take(_ steps: [IntentStep], home: Home, recovering: Bool) throws -> (
        lines: [String], failures: [String]
    ) {
        var taker = StepTaker(home: home, recovering: recovering)
        for step in phases.flatMap({ phase in steps.filter { phase.contains($0.operation) } }) {
            switch step.operation {
            case .rename: try taker.rename(step)
            case .copy: try taker.copy(step)
            case .symlink: try taker.symlink(step)
            case .delete: try taker.delete(step)
            case .prune: try taker.prune(step)
            case .run: continue
            }
        }
        for dir in taker.synced.sorted() { AtomicFile.syncDirectory(dir) }
        for step in steps where step.operation == .run { taker.run(step) }
        return (taker.lines, taker.failures)
    }

    /// Takes the steps of one intent: what it reports, and the directories to sync once the
    /// files are in place.
    private struct StepTaker {
        let home: Home
        /// A run that died left the intent: a staged file must hold the committed bytes.
        let recovering: Bool
        var lines: [String] = []
        var failures: [String] = []
        var synced = Set<String>()

        /// A staged file into place (checked against its committed hash when recovering); when it
        /// is gone, the target must already hold what was committed.
        mutating func rename(_ step: IntentStep) throws {
            guard let source = step.source else { return }
            let target = step.target
            guard FileManager.default.fileExists(atPath: source) else {
                if let hash = step.hash, try Journal.fileHash(target) != hash {
                    failures.append(
                        "\(home.show(URL(fileURLWithPath: target))) is not what the store committed (its staged file is gone); the next build replaces it"
                    )
                }
                return
            }
            if recovering, let hash = step.hash, try Journal.fileHash(source) != hash {
                throw HomeError(
                    .verify,
                    "staged file \(source) for \(home.show(URL(fileURLWithPath: target))) does not hold what the store committed; it was left in place"
                )
            }
            try Directory.make(URL(fileURLWithPath: target).deletingLastPathComponent(), mode: 0o700)
            if FaultPoint.hit("rename") || Glibc.rename(source, target) != 0 {
                throw HomeError(
                    .io,
                    "cannot replace \(target): \(String(cString: strerror(errno))); the next run completes it"
                )
            }
            synced.insert(URL(fileURLWithPath: target).deletingLastPathComponent().path)
        }

        /// A revealed DKIM key copied where the signers read it (0644).
        mutating func copy(_ step: IntentStep) throws {
            guard let source = step.source else { return }
            let target = step.target
            guard let text = try AtomicFile.read(URL(fileURLWithPath: source)) else {
                if !FileManager.default.fileExists(atPath: target) {
                    failures.append("cannot copy \(source) to \(target): it is gone")
                }
                return
            }
            let url = URL(fileURLWithPath: target)
            try Directory.make(url.deletingLastPathComponent(), mode: 0o755)
            try AtomicFile.write(text, to: url, mode: 0o644)
        }

        /// A link (an installed certificate) replaced atomically through a temporary link.
        mutating func symlink(_ step: IntentStep) throws {
            guard let destination = step.source else { return }
            let target = step.target
            let url = URL(fileURLWithPath: target)
            let temp = url.deletingLastPathComponent().appendingPathComponent(
                ".\(url.lastPathComponent).new",
                isDirectory: false
            ).path
            unlink(temp)
            if FaultPoint.hit("symlink") || Glibc.symlink(destination, temp) != 0 || FaultPoint.hit("rename")
                || Glibc.rename(temp, target) != 0
            {
                let e = errno
                unlink(temp)
                throw HomeError(
                    .io,
                    "cannot install \(target): \(String(cString: strerror(e))); the next run completes it"
                )
            }
            synced.insert(url.deletingLastPathComponent().path)
        }

        mutating func delete(_ step: IntentStep) throws {
            let target = step.target
            if FaultPoint.hit("unlink") {
                throw HomeError(.io, "cannot remove \(target): \(String(cString: strerror(errno)))")
            }
            if unlink(target) != 0 && errno != ENOENT {
                throw HomeError(
                    .io,
                    "cannot remove \(target): \(String(cString: strerror(errno))); the next run completes it"
                )
            }
            synced.insert(URL(fileURLWithPath: target).deletingLastPathComponent().path)
        }

        /// Old certificate files of a lineage, except those of the kept prefix and the links.
        mutating func prune(_ step: IntentStep) throws {
            let target = step.target
            let keep = step.source ?? ""
            for name in (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []
            where name.hasSuffix(".pem") && !name.hasPrefix(keep) && name != "privkey.pem" && name != "fullchain.pem" {
                if FaultPoint.hit("unlink") || (unlink("\(target)/\(name)") != 0 && errno != ENOENT) {
                    throw HomeError(
                        .io,
                        "cannot remove \(target)/\(name): \(String(cString: strerror(errno))); the next run completes it"
                    )
                }
            }
        }

        /// A reload command; its failure is reported, not thrown (the files are in place).
        mutating func run(_ step: IntentStep) {
            guard let data = step.source?.data(using: .utf8),
                let argv = try? JSONDecoder().decode([String].self, from: data), !argv.isEmpty
            else {
                return
            }
            do {
                let outcome = try Command.run(argv)
                if outcome.status == 0 {
                    lines.append("\(step.target): ran \(argv.joined(separator: " "))")
                } else {
                    failures.append(
                        "\(step.target) reload command \(argv.joined(separator: " ")) exited with \(outcome.status)\(outcome.detail)"
                    )
                }
            } catch {
                failures.append("\(step.target): cannot run \(argv[0]): \(error)")
            }
        }
    }

    static func fileHash(_ path: String) throws -> String? {
        do { return try MappedFile.open(path)?.sha256Hex } catch let e as DNSError { throw HomeError(.io, wrapping: e) }
    }
}
