/// A run that failed after its commit (an export that did not succeed, a signer reload that
/// failed): what the run did and committed, to be printed before the failure, and the failure.
/// The keys made, the zones signed and the DS to publish are real; the next run retries what failed.
public struct RunFailure: Error {
    /// What the run did, its lines and warnings.
    public let report: Report
    /// Why it stopped.
    public let error: Error

    init(report: Report, error: Error) {
        self.report = report
        self.error = error
    }
}

/// A failure of the export step with what it did before it (the targets it did export).
struct ExportFailure: Error {
    let outcome: StepOutcome
    let error: Error
}
