import GRDB
import MailKeysCore

extension Store {
    /// Every key of `domain` (all domains when nil), by domain, kind, then the key order.
    public func keys(domain: DomainName? = nil) throws -> [KeyRow] {
        try read { db in
            typealias C = KeyRecord.Columns
            var request = KeyRecord.all()
            if let domain { request = request.filter(C.domain == StoredName.text(domain)) }
            let order: [any SQLOrderingTerm] = [C.domain, C.kind] + KeyOrder.columns
            return try request.order(order).fetchAll(db).map { try $0.keyRow() }
        }
    }
}
