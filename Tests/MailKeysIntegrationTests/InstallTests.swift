import Foundation
import Testing

/// `make install` into a scratch prefix: the binary runs, the systemd units pass
/// `systemd-analyze verify` pointing at it, the home directory is 0700, the timer is hourly.
@Suite struct InstallTests {
    @Test func makeInstallWritesAWorkingBinaryUnitsAndHome() throws {
        let root = try Support.scratch("install")
        let prefix = root.appendingPathComponent("usr")
        let units = root.appendingPathComponent("units")
        let state = root.appendingPathComponent("state")
        let r = try Support.exec(
            try Support.tool("make"),
            [
                "-C", Support.repoRoot.path, "install", "CONFIG=debug", "SKIP_BUILD=1", "PREFIX=\(prefix.path)",
                "UNIT_DIR=\(units.path)",
                "STATE_DIR=\(state.path)",
            ]
        )
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let binary = prefix.appendingPathComponent("bin/mailkeys")
        let help = try Support.exec(binary.path, ["--help"])
        #expect(help.status == 0 && help.stdout.contains("certbot-hook"))
        let service = try Support.read(units.appendingPathComponent("mailkeys.service"))
        #expect(service.contains("ExecStart=\(binary.path) tick") && service.contains("MAILKEYS_HOME=\(state.path)"))
        #expect(try Support.read(units.appendingPathComponent("mailkeys.timer")).contains("OnCalendar=hourly"))
        // The daily check of a domain and the failure report, as instances of their templates.
        let check = try Support.read(units.appendingPathComponent("mailkeys-check@.service"))
        #expect(check.contains("ExecStart=\(binary.path) check %i") && check.contains("MAILKEYS_HOME=\(state.path)"))
        #expect(service.contains("OnFailure=mailkeys-failure@%n.service"))
        let instances = [
            ("mailkeys-check@.service", "mailkeys-check@example.org.service"),
            ("mailkeys-check@.timer", "mailkeys-check@example.org.timer"),
            ("mailkeys-failure@.service", "mailkeys-failure@mailkeys.service.service"),
        ]
        for (template, instance) in instances {
            try FileManager.default.copyItem(
                at: units.appendingPathComponent(template),
                to: units.appendingPathComponent(instance)
            )
        }
        let verify = try Support.exec(
            try Support.tool("systemd-analyze"),
            ["verify", "--man=no", "mailkeys.service", "mailkeys.timer"] + instances.map(\.1),
            environment: ["SYSTEMD_UNIT_PATH": units.path + ":"],
            cwd: units
        )
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: state.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        // The man page, generated from the argument parser, renders and documents every subcommand.
        let page = prefix.appendingPathComponent("share/man/man1/mailkeys.1")
        let man = try Support.exec(try Support.tool("man"), ["-l", page.path], environment: ["MANWIDTH": "200"])
        #expect(man.status == 0, "\(man.stderr)")
        for word in [
            "certbot-hook", "Start taking DOMAIN down", "Import the DNSSEC keys", "--mta-sts",
            "no longer serves the DS",
        ] {
            #expect(man.stdout.contains(word), "man mailkeys lacks \(word)")
        }
        // Shell completions where bash-completion, zsh and fish look for them; bash loads its
        // file and completes the subcommands.
        let share = prefix.appendingPathComponent("share")
        for file in [
            "bash-completion/completions/mailkeys", "zsh/site-functions/_mailkeys",
            "fish/vendor_completions.d/mailkeys.fish",
        ] {
            #expect(try Support.read(share.appendingPathComponent(file)).contains("certbot-hook"), "\(file)")
        }
        let bash = try Support.exec(
            "/bin/bash",
            [
                "-c",
                "source \"$1\" && complete -p mailkeys && COMP_WORDS=(mailkeys ti) COMP_CWORD=1 COMP_LINE='mailkeys ti' "
                    + "COMP_POINT=11 && $(complete -p mailkeys | sed -E 's/.* -F ([^ ]+) .*/\\1/') && echo \"${COMPREPLY[*]}\"",
                "bash", share.appendingPathComponent("bash-completion/completions/mailkeys").path,
            ],
            environment: ["PATH": prefix.appendingPathComponent("bin").path + ":/usr/bin:/bin"]
        )
        #expect(bash.status == 0 && bash.stdout.contains("tick"), "\(bash.stdout)\(bash.stderr)")
        // The installed binary initialises that home and ticks it, as the service would.
        let initialized = try Support.exec(
            binary.path,
            ["init", "--home", state.path, "--now", Support.now, "--simulate"] + Support.exampleInit
        )
        #expect(initialized.status == 0, "\(initialized.stderr)")
        let tick = try Support.exec(
            binary.path,
            ["tick", "--now", Support.now],
            environment: ["MAILKEYS_HOME": state.path]
        )
        #expect(
            tick.status == 0
                && FileManager.default.fileExists(
                    atPath: state.appendingPathComponent("Zones/example.org.zone.signed").path
                )
        )
    }
}

/// Logging through swift-log: levels from MAILKEYS_LOG_LEVEL, a bad level refused.
@Suite struct LoggingTests {
    @Test func levelsComeFromTheEnvironment() throws {
        let home = try Support.exampleHome()
        let quiet = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T11:00:00Z"])
        #expect(quiet.status == 0 && !quiet.stderr.contains(" info mailkeys:"))
        let info = try Support.mailkeys(
            ["tick", "--home", home.path, "--now", "2026-11-21T11:05:00Z"],
            environment: ["MAILKEYS_LOG_LEVEL": "info"]
        )
        #expect(
            info.status == 0 && info.stderr.contains(" info mailkeys:") && info.stderr.contains("next: "),
            "\(info.stderr)"
        )
        let debug = try Support.mailkeys(
            ["tick", "--home", home.path, "--now", "2026-11-21T11:10:00Z"],
            environment: ["MAILKEYS_LOG_LEVEL": "debug"]
        )
        #expect(
            debug.stderr.contains(" debug mailkeys:") && debug.stderr.contains("stage=read templates"),
            "\(debug.stderr)"
        )
        try BadInputTests.expectRefused(
            home,
            ["tick", "--home", home.path],
            message: "MAILKEYS_LOG_LEVEL='loud' is not one of",
            environment: ["MAILKEYS_LOG_LEVEL": "loud"]
        )
    }

    /// Under systemd (JOURNAL_STREAM names standard error, as systemd.exec(5) sets it), every
    /// line on standard error starts with its syslog priority, so `journalctl -p warning` shows
    /// warnings and errors; with JOURNAL_STREAM naming another stream, nothing changes.
    @Test func theJournalGetsSyslogPriorities() throws {
        let home = try Support.exampleHome()
        func run(_ args: String, journal: Bool, level: String = "info") throws -> Support.Result {
            // The shell's standard error is the pipe mailkeys inherits: its device and inode
            // are what systemd would put in JOURNAL_STREAM.
            let stream = journal ? "$(stat -L -c %d:%i /proc/self/fd/2)" : "1:1"
            return try Support.exec(
                "/bin/sh",
                ["-c", "JOURNAL_STREAM=\(stream) exec \"$MK\" \(args) --home \"$HOME_DIR\""],
                environment: ["MK": try Support.binary, "HOME_DIR": home.path, "MAILKEYS_LOG_LEVEL": level]
            )
        }
        let info = try run("tick --now 2026-11-21T11:00:00Z", journal: true)
        #expect(info.status == 0, "\(info.stderr)")
        let lines = info.stderr.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.range(of: #"^<[2-7]>"#, options: .regularExpression) != nil })
        #expect(lines.contains { $0.hasPrefix("<6>info mailkeys:") && $0.contains("next: ") }, "\(info.stderr)")
        // A warning (a CAA issuer no CA uses; printed by the run that builds the zone) and an
        // error (a bad name) with their priorities; not on the journal, none.
        let policy = home.appendingPathComponent("mailkeys.toml")
        let text = try Support.read(policy)
        func issuer(_ name: String) throws {
            try text.replacingOccurrences(of: "issue = [\"letsencrypt.org\"]", with: "issue = [\"\(name)\"]")
                .write(to: policy, atomically: true, encoding: .utf8)
        }
        try issuer("letsencrpyt.org")
        let plain = try run("tick --now 2026-11-21T11:05:00Z", journal: false)
        #expect(plain.stderr.contains("warning: ") && !plain.stderr.contains("<4>"), "\(plain.stderr)")
        try issuer("letsencrytp.org")
        let warned = try run("tick --now 2026-11-21T11:10:00Z", journal: true, level: "error")
        #expect(warned.stderr.contains("<4>warning: "), "\(warned.stderr)")
        let failed = try run("status no_such..name", journal: true, level: "error")
        #expect(failed.status != 0 && failed.stderr.hasPrefix("<3>mailkeys: error: "), "\(failed.stderr)")
        #expect(plain.stderr.contains(" info mailkeys:") && !plain.stderr.contains("<6>"), "\(plain.stderr)")
    }
}
