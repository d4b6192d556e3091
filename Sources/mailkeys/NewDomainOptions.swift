import ArgumentParser

/// What `init` and `domain add` ask of a new domain: its MX hosts, nameservers and report address.
struct NewDomainOptions: ParsableArguments {
    @Option(help: "An MX host with its addresses when inside the domain: HOST=IP[,IP...]. Repeat for more.")
    var mx: [String] = []

    @Option(help: "A nameserver, with glue addresses when inside the domain: HOST[=IP,...]. Repeat for more.")
    var ns: [String] = []

    @Option(help: "Where DMARC and TLS-RPT reports go (default mailto:dmarc@DOMAIN).")
    var rua: String?
}
