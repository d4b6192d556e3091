import GRDB

/// A row of the `intent` table: one step of the intent, numbered in the order to take it.
struct IntentRecord: StoreRecord {
    static let databaseTableName = "intent"

    var seq: Int64?
    var operation: String
    var source: String?
    var target: String
    var hash: String?
    var recordedAt: Int64

    enum CodingKeys: String, CodingKey {
        case seq, operation, source, target, hash
        case recordedAt = "recorded_at"
    }

    enum Columns {
        static let seq = Column(CodingKeys.seq)
    }

    /// The step this row holds; an unknown operation is `.corrupt`.
    func step(path: String) throws -> IntentStep {
        guard let op = IntentStep.Operation(rawValue: operation) else {
            throw StoreError(.corrupt, "store \(path): unknown intent step '\(operation)'")
        }
        return IntentStep(op, source: source, target: target, hash: hash)
    }
}

extension IntentRecord {
    /// The row of `step`, recorded at `recordedAt` (whole seconds).
    init(_ step: IntentStep, recordedAt: Int64) {
        self.init(
            operation: step.operation.rawValue,
            source: step.source,
            target: step.target,
            hash: step.hash,
            recordedAt: recordedAt
        )
    }
}
