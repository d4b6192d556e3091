import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

/// Options every subcommand takes.
struct CommonOptions: ParsableArguments {
    @Option(help: "The mailkeys home (else $MAILKEYS_HOME, else /var/lib/mailkeys).")
    var home: String?

    @Option(help: "Act as if it were this time (ISO 8601, e.g. 2026-11-21T10:00:00Z); default: the clock.")
    var now: String?

    @Option(help: "Seconds to wait for another run's lock on the home before giving up.")
    var lockWait: Double = 60

    @Flag(help: "Sign even though the clock is more than an hour behind the last signing (the earlier runs had the wrong time).")
    var acceptClock = false

    var resolvedHome: Home { Home.resolve(home) }

    /// The longest `--lock-wait`: a day (a timer run that waits longer has lost its purpose).
    static let maxLockWait: Double = 86_400

    func validate() throws {
        guard lockWait.isFinite, (0...Self.maxLockWait).contains(lockWait) else {
            throw ValidationError("--lock-wait must be a number of seconds from 0 to \(Int(Self.maxLockWait)), not \(lockWait)")
        }
    }

    /// Runs the pipeline in `mode` with these options (home, clock, lock wait, clock override).
    func run(_ mode: MailKeys.Mode) throws -> Report {
        try MailKeys.run(resolvedHome, mode: mode, now: try RunClock.now(now), lockWait: lockWait, acceptClock: acceptClock)
    }
}

/// Prints a report; an error becomes one line on stderr and a thrown ``ExitCode`` (see
/// ``exitCode(for:)``).
func perform(_ body: () throws -> Report) throws {
    try bootstrapLogging()
    do {
        let report = try body()
        for w in report.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        for l in report.lines { print(l) }
    } catch {
        throw failure(error)
    }
}

/// Sends swift-log output to standard error at `MAILKEYS_LOG_LEVEL` (trace, debug, info, notice,
/// warning, error (default), critical); a bad value is an error.
func bootstrapLogging() throws {
    let text = ProcessInfo.processInfo.environment["MAILKEYS_LOG_LEVEL"] ?? "error"
    guard let level = Logger.Level(rawValue: text.lowercased()) else {
        throw failure(HomeError(.usage, "MAILKEYS_LOG_LEVEL=\(Quote.short(text)) is not one of trace, debug, info, notice, warning, error, critical"))
    }
    LoggingSystem.bootstrap { label in
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
    FileHandle.standardError.write(Data("mailkeys: error: \(message(for: error))\n".utf8))
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

@main
struct MailKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailkeys",
        abstract: "The DNS side of a mail domain: zone, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, CAA, DANE, DNSSEC.",
        subcommands: [Init.self, ZoneCommand.self, Tick.self, Rotate.self, DS.self, TLS.self, CertbotHook.self, Plan.self, Check.self, Status.self])
}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a home: a commented mailkeys.toml for one domain, Keys/ with the store, Zones/.")

    @OptionGroup var common: CommonOptions

    @Option(help: "The mail domain, e.g. example.org.")
    var domain: String

    @Option(help: "An MX host with its addresses when inside the domain: HOST=IP[,IP...]. Repeat for more.")
    var mx: [String] = []

    @Option(help: "A nameserver, with glue addresses when inside the domain: HOST[=IP,...]. Repeat for more.")
    var ns: [String] = []

    @Option(help: "Where DMARC and TLS-RPT reports go (default mailto:dmarc@DOMAIN).")
    var rua: String?

    func run() throws {
        try perform {
            try MailKeys.initHome(
                common.resolvedHome, domain: domain, mx: mx, ns: ns, rua: rua, now: try RunClock.now(common.now))
        }
    }
}

struct ZoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zone", abstract: "Zone files.", subcommands: [Build.self, Sign.self, Export.self])

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "As zone build, for signed domains: also writes Zones/<domain>.zone.signed (verified before it is written).")

        @OptionGroup var common: CommonOptions

        @Argument(help: "Only this domain (default: every domain of the policy).")
        var domain: String?

        func run() throws {
            try perform {
                try common.run(.zoneSign(domain))
            }
        }
    }

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write Zones/<domain>.zone (new serial only when the content changed) and the MTA-STS policy file.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "Only this domain (default: every domain of the policy).")
        var domain: String?

        func run() throws {
            try perform {
                try common.run(.zoneBuild(domain))
            }
        }
    }
}

extension ZoneCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "As zone build (and sign), then export each zone that changed to the servers of its [[export]] targets, reload them and confirm the new serial."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "Only this domain (default: every domain of the policy).")
        var domain: String?

        func run() throws {
            try perform {
                try common.run(.zoneExport(domain))
            }
        }
    }
}

struct Tick: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Do everything due now for every domain, print it and the next time to run. Run it from a timer.")

    @OptionGroup var common: CommonOptions

    func run() throws {
        try perform {
            try common.run(.tick)
        }
    }
}

struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a key rollover now.", subcommands: [DKIM.self, ZSK.self, KSK.self, TLSKey.self])

    struct TLSKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tls",
            abstract:
                "Generate the next TLS key of an MX host now (scheme current+next): its 3 1 1 is published, and certbot-hook --pre hands it to certbot once it is 2 × TTL old."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The MX host.")
        var host: String

        func run() throws {
            try perform {
                try common.run(.rotateTLS(host))
            }
        }
    }

    struct KSK: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ksk",
            abstract:
                "Publish a new KSK (or CSK) now: it co-signs the DNSKEY RRset, its CDS/CDNSKEY appear once caches know it, and it takes over after `ds seen` plus the parent's DS TTL."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain.")
        var domain: String

        func run() throws {
            try perform {
                try common.run(.rotateKSK(domain))
            }
        }
    }

    struct ZSK: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "zsk",
            abstract: "Pre-publish a new ZSK now; tick makes it sign after Dprp + DNSKEY TTL + safety and removes the old one later.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain (its policy must use scheme = \"ksk+zsk\").")
        var domain: String

        func run() throws {
            try perform {
                try common.run(.rotateZSK(domain))
            }
        }
    }

    struct DKIM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dkim",
            abstract: "Generate and publish new DKIM keys now; they sign once publish_ahead has passed (then run tick).")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain to rotate.")
        var domain: String?

        @Flag(help: "Rotate every domain of the policy.")
        var all = false

        func validate() throws {
            guard (domain == nil) != !all else { throw ValidationError("give a DOMAIN or --all") }
        }

        func run() throws {
            try perform {
                try common.run(.rotateDKIM(all ? nil : domain))
            }
        }
    }
}

struct DS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ds", abstract: "DS records for the registrar, and confirming that the parent publishes a new one.",
        subcommands: [Show.self, Seen.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the DS records (SHA-256) the parent should hold now (both during a KSK rollover), and the trust anchor.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain.")
        var domain: String

        func run() throws {
            try perform { try MailKeys.ds(common.resolvedHome, domain: domain, lockWait: common.lockWait) }
        }
    }

    struct Seen: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seen",
            abstract: "Record that the parent now publishes the DS of the new key KEYTAG; tick retires the old key after the parent's DS TTL.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain.")
        var domain: String

        @Argument(help: "The key tag of the new KSK or CSK (as `status` and `ds` show it).")
        var keytag: UInt16

        func run() throws {
            try perform {
                try common.run(.dsSeen(domain, keytag))
            }
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Domains, serials, records, keys and the next events.")

    @OptionGroup var common: CommonOptions

    @Argument(help: "Only this domain.")
    var domain: String?

    @Flag(help: "Print JSON (stable keys) instead of text.")
    var json = false

    func run() throws {
        do {
            let report = try MailKeys.status(
                common.resolvedHome, domain: domain, now: try RunClock.now(common.now), lockWait: common.lockWait)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(MailKeys.render(report), terminator: "")
            }
        } catch {
            throw failure(error)
        }
    }
}

struct TLS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls", abstract: "Certificates of the MX hosts (TLSA records).", subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Record the certificate HOST serves now; the zones get its TLSA records (per tls.scheme).")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The MX host.")
        var host: String

        @Option(help: "The certificate (PEM; may hold the whole chain).")
        var cert: String

        @Option(help: "The intermediate certificates (PEM), when not in --cert.")
        var chain: String?

        @Option(help: "Its private key (PEM): mailkeys then installs both under Keys/tls/HOST/ for the mail server.")
        var key: String?

        func run() throws {
            try perform {
                try MailKeys.tlsImport(
                    common.resolvedHome, host: host, certPath: cert, chainPath: chain, keyPath: key, now: try RunClock.now(common.now),
                    lockWait: common.lockWait, acceptClock: common.acceptClock)
            }
        }
    }
}

struct CertbotHook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certbot-hook",
        abstract:
            "certbot's deploy hook: records the renewed certificate of an MX host (RENEWED_LINEAGE, RENEWED_DOMAINS), publishes its TLSA records, re-signs; the deploy gate installs it once covered."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "certbot's configuration directory (default: the policy's tls.letsencrypt_dir, /etc/letsencrypt).")
    var letsencryptDir: String?

    @Flag(help: "Write the hooks into DIR/renewal-hooks/{deploy,pre,post}/ instead of running one.")
    var install = false

    @Flag(help: "Run as certbot's pre-hook: stage published next keys (scheme current+next) in their lineages.")
    var pre = false

    @Flag(help: "Run as certbot's post-hook: point lineages that were not renewed back at their own key.")
    var post = false

    func run() throws {
        try perform {
            if pre { return try MailKeys.certbotPreHook(common.resolvedHome, now: try RunClock.now(common.now), lockWait: common.lockWait) }
            if post { return try MailKeys.certbotPostHook(common.resolvedHome, lockWait: common.lockWait) }
            if install {
                let binary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
                return try MailKeys.installCertbotHook(common.resolvedHome, letsencryptDir: letsencryptDir, binary: binary)
            }
            return try MailKeys.certbotHook(
                common.resolvedHome, environment: ProcessInfo.processInfo.environment, letsencryptDir: letsencryptDir,
                now: try RunClock.now(common.now), lockWait: common.lockWait, acceptClock: common.acceptClock)
        }
    }
}

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The coming key, certificate, re-sign and export events: the real planners on a virtual clock; changes nothing.")

    @OptionGroup var common: CommonOptions

    @Argument(help: "Only this domain.")
    var domain: String?

    @Option(help: "How many days ahead (1...3650).")
    var days = 90

    @Option(help: "Also write the timeline as an SVG to this file (one lane per key, states as bars, today marked).")
    var svg: String?

    func run() throws {
        try perform {
            let timeline = try MailKeys.plan(
                common.resolvedHome, domain: domain, days: days, now: try RunClock.now(common.now), lockWait: common.lockWait)
            var report = Report()
            report.lines = timeline.table.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            if let svg {
                try AtomicFile.write(timeline.svg, to: URL(fileURLWithPath: svg))
                report.lines.append("wrote \(svg)")
            }
            return report
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Audit the live DNS and the MX's STARTTLS like MECSA and internet.nl: DNSSEC from mailkeys' trust anchor, MX, STARTTLS, TLSA, MTA-STS, TLS-RPT, SPF, DKIM, DMARC, CAA. Exits 1 if anything fails."
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "The domain.")
    var domain: String

    @Option(help: "The authoritative server to ask, IP[:PORT] (default: the first export target's address, else 127.0.0.1).")
    var server: String?

    @Option(help: "Where to reach the MX's SMTP, IP[:PORT] (default: the MX's address, port 25 or the TLSA port).")
    var smtp: String?

    @Flag(help: "Print JSON (stable keys) instead of the score card.")
    var json = false

    func run() throws {
        try bootstrapLogging()
        let report: CheckReport
        do {
            report = try MailKeys.check(
                common.resolvedHome, domain: domain, server: server, smtp: smtp, now: try RunClock.now(common.now), lockWait: common.lockWait)
        } catch { throw failure(error) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text, terminator: "")
        }
        if !report.ok { throw ExitCode(1) }
    }
}
