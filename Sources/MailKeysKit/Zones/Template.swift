import MailKeysCore

/// A template as read once: its records and the SHA-256 of the bytes they were parsed from.
struct Template {
    var records: [TemplateRecord] = []
    var hash = ""
}
