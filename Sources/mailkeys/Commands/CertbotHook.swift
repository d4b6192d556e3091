import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

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
            if pre {
                return try MailKeys.certbotPreHook(
                    common.resolvedHome,
                    now: try RunClock.now(common.now),
                    lockWait: common.lockWait
                )
            }
            if post { return try MailKeys.certbotPostHook(common.resolvedHome, lockWait: common.lockWait) }
            if install {
                let binary =
                    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                    ?? CommandLine.arguments[0]
                return try MailKeys.installCertbotHook(
                    common.resolvedHome,
                    letsencryptDir: letsencryptDir,
                    binary: binary
                )
            }
            return try MailKeys.certbotHook(
                common.resolvedHome,
                environment: ProcessInfo.processInfo.environment,
                letsencryptDir: letsencryptDir,
                now: try RunClock.now(common.now),
                lockWait: common.lockWait,
                acceptClock: common.acceptClock,
                simulate: common.simulate
            )
        }
    }
}
