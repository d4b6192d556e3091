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
        let verify = try Support.exec(
            try Support.tool("systemd-analyze"),
            [
                "verify", "--man=no", units.appendingPathComponent("mailkeys.service").path,
                units.appendingPathComponent("mailkeys.timer").path,
            ]
        )
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: state.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        // The installed binary initialises that home and ticks it, as the service would.
        let initialized = try Support.exec(
            binary.path,
            ["init", "--home", state.path, "--now", Support.now] + Support.exampleInit
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
}
