import CLDNS
import Foundation
import MailKeysCore

/// Reads zone files in presentation format through libldns, record by record, so every record
/// (and every error) carries its line number.
public enum LDNSZoneReader {
    /// Parses the zone file at `path` for `origin`; records without a TTL get `defaultTTL`
    /// unless the file sets `$TTL`. `$INCLUDE` is refused (the template must be self-contained).
    public static func read(path: String, origin: DomainName, defaultTTL: UInt32, name: String) throws
        -> [TemplateRecord]
    {
        guard let file = fopen(path, "r") else {
            throw DNSError(.unreadable, "\(name): cannot read (\(String(cString: strerror(errno))))")
        }
        defer { fclose(file) }
        return try read(file: file, origin: origin, defaultTTL: defaultTTL, name: name)
    }

    /// Parses zone text held in memory (used to re-read what mailkeys renders before writing it).
    public static func read(text: String, origin: DomainName, defaultTTL: UInt32, name: String) throws
        -> [TemplateRecord]
    {
        try read(bytes: Array(text.utf8), origin: origin, defaultTTL: defaultTTL, name: name)
    }

    /// Parses zone file bytes held in memory (a template read once to be hashed and parsed).
    public static func read(bytes: [UInt8], origin: DomainName, defaultTTL: UInt32, name: String) throws
        -> [TemplateRecord]
    {
        var bytes = bytes
        if bytes.isEmpty { return [] }
        return try bytes.withUnsafeMutableBytes { buffer in
            guard let file = fmemopen(buffer.baseAddress, buffer.count, "r") else {
                throw DNSError(.unreadable, "\(name): fmemopen failed")
            }
            defer { fclose(file) }
            return try read(file: file, origin: origin, defaultTTL: defaultTTL, name: name)
        }
    }

    /// Reads every record of `file`. Long on purpose: one loop over libldns's reader whose
    /// `$ORIGIN`, `$TTL` and previous-owner state are C pointers the loop replaces and frees;
    /// split up, each part would take and hand back all of them.
    static func read(file: UnsafeMutablePointer<FILE>, origin: DomainName, defaultTTL: UInt32, name: String) throws
        -> [TemplateRecord]
    {
        var ttl = defaultTTL
        var originRDF: UnsafeMutablePointer<ldns_rdf>? = ldns_dname_new_frm_str(origin.fqdn)
        var prev: UnsafeMutablePointer<ldns_rdf>? = ldns_rdf_clone(originRDF)
        defer {
            if let originRDF { ldns_rdf_deep_free(originRDF) }
            if let prev { ldns_rdf_deep_free(prev) }
        }
        var line: Int32 = 1
        var records: [TemplateRecord] = []
        let buffer = ldns_buffer_new(4096)!
        defer { ldns_buffer_free(buffer) }
        // Consecutive records mostly share an owner and a type: convert each only once.
        var lastOwner: (rdf: UnsafeMutablePointer<ldns_rdf>, name: DomainName)? = nil
        defer { if let lastOwner { ldns_rdf_deep_free(lastOwner.rdf) } }
        var typeNames: [UInt16: RRType] = [:]
        while feof(file) == 0 {
            var rr: UnsafeMutablePointer<ldns_rr>?
            let startLine = Int(line)
            let status = ldns_rr_new_frm_fp_l(&rr, file, &ttl, &originRDF, &prev, &line)
            switch status {
            case LDNS_STATUS_OK:
                guard let rr else { continue }
                let record = LDNSRecord(rr)
                let code = record.typeCode
                let type = typeNames[code] ?? RRType(code: code, mnemonic: record.typeName)
                typeNames[code] = type
                guard TTLLimits.range.contains(Int(record.ttl)) else {
                    throw DNSError(
                        .syntax,
                        "\(name) line \(max(startLine, Int(line) - 1)): TTL \(record.ttl) s is out of range \(TTLLimits.range.lowerBound)...\(TTLLimits.range.upperBound) s"
                    )
                }
                let ownerRDF = ldns_rr_owner(rr)!
                let owner: DomainName
                if let last = lastOwner, ldns_rdf_compare(last.rdf, ownerRDF) == 0 {
                    owner = last.name
                } else {
                    owner = DomainName(presentation: record.owner)
                    if let last = lastOwner { ldns_rdf_deep_free(last.rdf) }
                    lastOwner = (ldns_rdf_clone(ownerRDF), owner)
                }
                let rdata = record.rdata
                records.append(
                    TemplateRecord(
                        owner: owner,
                        ttl: record.ttl,
                        type: type,
                        rdata: rdata,
                        line: max(startLine, Int(line) - 1),
                        wire: try Signer.canonicalRDATA(rr, buffer: buffer)
                    )
                )
            case LDNS_STATUS_SYNTAX_EMPTY, LDNS_STATUS_SYNTAX_TTL, LDNS_STATUS_SYNTAX_ORIGIN:
                continue
            case LDNS_STATUS_SYNTAX_INCLUDE:
                throw DNSError(
                    .unsupported,
                    "\(name) line \(line - 1): $INCLUDE is not supported; put the records in the template itself"
                )
            default:
                let why = String(cString: ldns_get_errorstr_by_id(status))
                throw DNSError(.syntax, "\(name) line \(max(Int(line) - 1, 1)): \(why)")
            }
        }
        return records
    }
}
