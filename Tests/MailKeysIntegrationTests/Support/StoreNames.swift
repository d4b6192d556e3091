import MailKeysCore

extension DomainName {
    /// The mail domain of the example home, as the store's API takes it.
    static let exampleOrg = DomainName(presentation: "example.org")
}
