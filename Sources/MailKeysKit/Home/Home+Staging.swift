import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension Home {
    /// Where a run stages the files it publishes under `Keys/`, and its temporary files there.
    var keysStaging: URL { keysDir.appendingPathComponent(".staging", isDirectory: true) }
    /// The same for `Zones/`.
    var zonesStaging: URL { zonesDir.appendingPathComponent(".staging", isDirectory: true) }

    /// The staging directory for `target` (nil outside `Keys/` and `Zones/`): on the target's
    /// file system, so the final rename is atomic.
    func staging(for target: URL) -> URL? {
        let path = target.standardizedFileURL.path
        if path.hasPrefix(zonesDir.path + "/") { return zonesStaging }
        if path.hasPrefix(keysDir.path + "/") { return keysStaging }
        return nil
    }

    /// A temporary directory for an atomic write of `target` (the staging directory when the
    /// target is in the home, made if need be), so a killed write leaves nothing the next run
    /// does not sweep.
    func tempDir(for target: URL) -> URL? {
        guard let dir = staging(for: target), (try? Directory.make(dir, mode: 0o700)) != nil else { return nil }
        return dir
    }
}
