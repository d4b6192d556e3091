/// What a use case reports: lines for standard output and warnings for standard error.
public struct Report: Sendable {
    public var lines: [String] = []
    public var warnings: [String] = []
    public init(lines: [String] = [], warnings: [String] = []) {
        self.lines = lines
        self.warnings = warnings
    }
}

extension Report {
    /// Appends a step's lines and warnings.
    mutating func add(_ step: StepOutcome) {
        lines += step.lines
        warnings += step.warnings
    }
}
