/// Where a record came from, for warnings and for `status`.
public enum RecordSource: Hashable, Sendable {
    /// Built by mailkeys from the policy; the string says which part (`dmarc`, `mx`, ...).
    case generated(String)
    /// Read from the user's template zone, at this line.
    case template(line: Int)
}
