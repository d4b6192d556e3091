import CLDNS
import Foundation
import MailKeysCore

/// An `ldns_rr` owned by Swift: freed (deeply) when the wrapper goes away.
final class LDNSRecord {
    let pointer: UnsafeMutablePointer<ldns_rr>

    init(_ pointer: UnsafeMutablePointer<ldns_rr>) { self.pointer = pointer }
    deinit { ldns_rr_free(pointer) }

    /// Copies a malloc'd C string from libldns and frees it.
    static func take(_ cString: UnsafeMutablePointer<CChar>?) -> String {
        guard let cString else { return "" }
        defer { free(cString) }
        return String(cString: cString)
    }

    var owner: String { Self.take(ldns_rdf2str(ldns_rr_owner(pointer))) }
    var ttl: UInt32 { ldns_rr_ttl(pointer) }
    var typeCode: UInt16 { UInt16(ldns_rr_get_type(pointer).rawValue) }
    var typeName: String { Self.take(ldns_rr_type2str(ldns_rr_get_type(pointer))) }
    var rdata: String {
        (0..<ldns_rr_rd_count(pointer)).map { Self.take(ldns_rdf2str(ldns_rr_rdf(pointer, $0))) }.joined(separator: " ")
    }
}

extension LDNSRecord {
    /// RDATA fields joined by single spaces, lower-cased unless `keepCase` (DS digests compare
    /// case-insensitively; TXT data must keep its case).
    static func normalizedRDATA(_ rr: UnsafeMutablePointer<ldns_rr>, keepCase: Bool = false) -> String {
        let text = (0..<ldns_rr_rd_count(rr)).map { take(ldns_rdf2str(ldns_rr_rdf(rr, $0))) }.joined(separator: " ")
        return keepCase ? text : text.lowercased()
    }
}
