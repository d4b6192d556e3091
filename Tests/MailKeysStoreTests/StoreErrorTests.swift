import MailKeysCore
import MailKeysStore
import Testing

/// Error ids are part of the interface (scripts and logs match them): renaming a code fails here.
@Suite struct StoreErrorTests {
    @Test func idsAreTheLayerAndTheCode() {
        let ids = [StoreError.Code.missing, .exists, .corrupt, .locked, .foreign, .newer, .failed].map {
            StoreError($0, "x").id
        }
        #expect(
            ids == [
                "store.missing", "store.exists", "store.corrupt", "store.locked", "store.foreign", "store.newer",
                "store.failed",
            ]
        )
    }
}
