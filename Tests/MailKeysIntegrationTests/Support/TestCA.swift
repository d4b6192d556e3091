import Foundation

/// A throw-away CA made with the openssl command line: a root, an intermediate, and leaves for
/// the MX host, so chains, `2 1 1` records and the deploy gate can be tested without the network.
///
/// Every certificate has an explicit validity around the instant the test gives (`openssl ca
/// -startdate/-enddate`; OpenSSL 3.0's `x509 -req` always starts at the wall clock), so a test
/// on an injected clock gets certificates made at that clock, on any date the suite runs.
struct TestCA {
    let dir: URL
    let intermediate: URL
    /// How far before its issue instant a leaf's validity starts (Let's Encrypt backdates by 1 h).
    static let backdate: TimeInterval = 3600

    /// A root and an intermediate of key `type` ("ec" or "rsa"), valid from a day before `at`
    /// for ten years.
    init(type: String = "ec", at: Date) throws {
        dir = try Support.scratch("ca")
        try Self.writeConfig(dir)
        let ext = dir.appendingPathComponent("ca.ext")
        try "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n".write(
            to: ext,
            atomically: true,
            encoding: .utf8
        )
        let from = at.addingTimeInterval(-86_400)
        let until = at.addingTimeInterval(3650 * 86_400)
        try Self.request(dir, "root", type: type, subject: "/CN=mailkeys test root")
        try Self.sign(dir, "root", issuer: nil, from: from, until: until, ext: ext)
        try Self.request(dir, "int", type: type, subject: "/CN=mailkeys test intermediate")
        try Self.sign(dir, "int", issuer: "root", from: from, until: until, ext: ext)
        intermediate = dir.appendingPathComponent("int.pem")
    }

    /// `openssl req -newkey` arguments for `type`: "ec" (P-256), "rsa" (2048) or "rsa:BITS".
    static func keyArgs(_ type: String) -> [String] {
        type == "rsa" ? ["rsa:2048"] : type.hasPrefix("rsa:") ? [type] : ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    }

    @discardableResult
    static func openssl(_ dir: URL, _ args: [String]) throws -> String {
        let r = try Support.exec(try Support.tool("openssl"), args, cwd: dir)
        guard r.status == 0 else { throw Support.Failure("openssl \(args.joined(separator: " ")): \(r.stderr)") }
        return r.stdout
    }

    /// `3 1 1` / `2 1 1` data the way operators compute it (the README's and design notes' pipeline).
    static func spki(_ pem: URL) throws -> String {
        let r = try Support.exec(
            try Support.tool("sh"),
            [
                "-c", "openssl x509 -in \"$1\" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum", "sh",
                pem.path,
            ]
        )
        return String(r.stdout.prefix(64))
    }

    /// A leaf for `names` issued at `at` (fullchain with the intermediate, key): valid from
    /// ``backdate`` before `at` until `days` after it, signed with `digest`.
    func leaf(
        _ label: String,
        names: [String] = ["mail.example.org"],
        type: String = "ec",
        digest: String = "sha256",
        at: Date,
        days: Int = 90
    )
        throws -> (
            fullchain: URL, key: URL
        )
    {
        let ext = dir.appendingPathComponent("\(label).ext")
        try "subjectAltName=\(names.map { "DNS:\($0)" }.joined(separator: ","))\n".write(
            to: ext,
            atomically: true,
            encoding: .utf8
        )
        try Self.request(dir, label, type: type, subject: "/CN=\(names[0])")
        try Self.sign(
            dir,
            label,
            issuer: "int",
            from: at.addingTimeInterval(-Self.backdate),
            until: at.addingTimeInterval(TimeInterval(days) * 86_400),
            ext: ext,
            digest: digest
        )
        let full = dir.appendingPathComponent("\(label).fullchain.pem")
        try (Support.read(dir.appendingPathComponent("\(label).pem")) + Support.read(intermediate)).write(
            to: full,
            atomically: true,
            encoding: .utf8
        )
        return (full, dir.appendingPathComponent("\(label).key"))
    }

    /// `NAME.key` and `NAME.csr`.
    private static func request(_ dir: URL, _ name: String, type: String, subject: String) throws {
        try openssl(
            dir,
            ["req", "-new", "-newkey"] + keyArgs(type) + [
                "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject,
            ]
        )
    }

    /// `NAME.pem` from `NAME.csr`, signed by `issuer` (self-signed when nil), valid `from`...`until`.
    private static func sign(
        _ dir: URL,
        _ name: String,
        issuer: String?,
        from: Date,
        until: Date,
        ext: URL,
        digest: String = "sha256"
    ) throws {
        let signer =
            issuer.map { ["-cert", "\($0).pem", "-keyfile", "\($0).key"] } ?? ["-selfsign", "-keyfile", "\(name).key"]
        try openssl(
            dir,
            [
                "ca", "-batch", "-notext", "-config", "ca.cnf", "-in", "\(name).csr", "-out", "\(name).pem", "-extfile",
                ext.path,
            ]
                + signer + ["-startdate", asn1Time(from), "-enddate", asn1Time(until), "-md", digest]
        )
    }

    /// UTCTime (`YYMMDDHHMMSSZ`) before 2050, GeneralizedTime after, as RFC 5280 asks.
    static func asn1Time(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        let year = Calendar(identifier: .gregorian).dateComponents(in: f.timeZone, from: date).year ?? 2000
        f.dateFormat = year < 2050 ? "yyMMddHHmmss'Z'" : "yyyyMMddHHmmss'Z'"
        return f.string(from: date)
    }

    /// A minimal `openssl ca` configuration: any subject, sequential serials, no index checks.
    private static func writeConfig(_ dir: URL) throws {
        try """
        [ ca ]
        default_ca = test
        [ test ]
        database = index.txt
        new_certs_dir = .
        serial = serial
        default_md = sha256
        policy = anything
        unique_subject = no
        email_in_dn = no
        [ anything ]
        commonName = supplied

        """.write(to: dir.appendingPathComponent("ca.cnf"), atomically: true, encoding: .utf8)
        try "".write(to: dir.appendingPathComponent("index.txt"), atomically: true, encoding: .utf8)
        try "1000\n".write(to: dir.appendingPathComponent("serial"), atomically: true, encoding: .utf8)
    }
}
