import Logging

/// The log (swift-log): what runs did, for the journal. The command line sends it to standard
/// error at the level of `MAILKEYS_LOG_LEVEL` (default `error`; `notice` shows exports, `info`
/// every action, `debug` the stage timings too).
public enum Log {
    public static let logger = Logger(label: "mailkeys")
}
