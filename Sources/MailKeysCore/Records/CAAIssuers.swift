/// The issuer domains CAs publish for CAA (the "CAA identifiers" of the CAs in the Mozilla,
/// Chrome and Apple root programs, as the CCADB lists them): a value naming none of them is
/// almost always a typo, and a CAA record with a typo forbids every CA, certbot's included, to
/// issue for the domain.
public enum CAAIssuers {
    public static let known: Set<String> = [
        "letsencrypt.org", "pki.goog", "sectigo.com", "comodoca.com", "comodo.com", "usertrust.com",
        "trust-provider.com", "zerossl.com", "digicert.com", "symantec.com", "thawte.com", "geotrust.com",
        "rapidssl.com", "digitalcertvalidation.com", "globalsign.com", "amazon.com", "amazontrust.com",
        "awstrust.com", "amazonaws.com", "aws.amazon.com", "buypass.com", "buypass.no", "ssl.com",
        "entrust.net", "affirmtrust.com", "godaddy.com", "starfieldtech.com", "identrust.com", "harica.gr",
        "actalis.it", "certum.pl", "certum.eu", "telia.com", "teliasonera.com", "swisssign.com",
        "swisssign.net", "quovadisglobal.com", "certigna.fr", "certigna.com", "d-trust.net", "telekom.de",
        "izenpe.com", "camerfirma.com", "firmaprofesional.com", "certsign.ro", "disig.sk", "emsign.com",
        "secom.co.jp", "twca.com.tw", "cht.com.tw", "microsoft.com", "apple.com", "trustwave.com",
        "networksolutions.com", "wisekey.com", "e-tugra.com", "netlock.hu", "microsec.hu", "accv.es",
        "fnmt.es", "anf.es", "atos.net", "gdca.com.cn", "cfca.com.cn", "sheca.com", "nic.in",
    ]

    /// A warning when the issuer domain of `value` (`letsencrypt.org; validationmethods=dns-01`)
    /// is not a known CA's, naming the known one it is closest to (two edits at most); nil for a
    /// known issuer and for `;` (no CA may issue).
    public static func warning(_ value: String) -> String? {
        let issuer = String(value.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased()
        guard !issuer.isEmpty, !known.contains(issuer) else { return nil }
        let near = known.map { ($0, distance(issuer, $0)) }.filter { $0.1 <= 2 }.min { ($0.1, $0.0) < ($1.1, $1.0) }
        let hint = near.map { " (did you mean \($0.0)?)" } ?? ""
        return
            "\(Quote.short(issuer)) is not the CAA issuer domain of any CA mailkeys knows\(hint); "
            + "a CA not listed may not issue for the domain, so a typo here stops certbot's renewals"
    }

    /// The edit distance (insertions, deletions, substitutions) between two short strings.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var diagonal = row[0]
            row[0] = i
            for j in 1...b.count {
                let above = row[j]
                row[j] = min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
                diagonal = above
            }
        }
        return row[b.count]
    }
}
