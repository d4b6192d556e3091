import Foundation
import GRDB

extension Store {
    /// The steps a run committed to and has not cleared yet, in order (empty: nothing pending).
    public func intent() throws -> [IntentStep] {
        try read { db in
            try IntentRecord.order(IntentRecord.Columns.seq).fetchAll(db).map { try $0.step(path: path) }
        }
    }

    /// Forgets the steps once they are all taken.
    public func clearIntent() throws {
        try transaction { tx in _ = try IntentRecord.deleteAll(tx.db) }
    }
}

extension StoreTransaction {
    /// Records the steps to take once this transaction has committed.
    public func recordIntent(_ steps: [IntentStep], at now: Date) throws {
        for step in steps { try IntentRecord(step, recordedAt: StoredTime.seconds(now)).insert(db) }
    }
}
