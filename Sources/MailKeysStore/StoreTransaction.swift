import GRDB

/// The changes one transaction can make (and the queries it can run on the state it sees).
public struct StoreTransaction {
    let db: Database
}
