import Foundation
import MailKeysCore
import Testing

@testable import MailKeysStore

/// `signer_tables` and `signer_entry`: what the DKIM signers' tables were written from.
@Suite struct SignerTablesStoreTests {
    @Test func stateRoundTripsAndPerDomainHashesAreReplaced() throws {
        let s = try store(with: [])
        #expect(try s.signerTables() == nil)
        let a = try name("a.example")
        let b = try name("b.example")
        let c = try name("c.example")
        try s.saveSignerTables(SignerTablesState(inputs: "i1", markers: "m1", domains: [a: "x", b: "y"]))
        #expect(try s.signerTables() == SignerTablesState(inputs: "i1", markers: "m1", domains: [a: "x", b: "y"]))
        // Only the rows asked for.
        #expect(try s.signerTables(domains: [b, c])?.domains == [b: "y"])
        // A new state replaces the hashes: b changed, a gone, c new.
        try s.saveSignerTables(SignerTablesState(inputs: "i2", markers: "m2", domains: [b: "z", c: "w"]))
        #expect(try s.signerTables() == SignerTablesState(inputs: "i2", markers: "m2", domains: [b: "z", c: "w"]))
    }

    @Test func aDamagedDomainNameIsReportedNotTrusted() throws {
        let s = try store(with: [])
        try s.saveSignerTables(SignerTablesState(inputs: "i", markers: "m", domains: [:]))
        try writeRaw(s, "INSERT INTO signer_entry (domain, digest) VALUES ('bad..name', 'x')")
        #expect(throws: StoreError.self) { try s.signerTables() }
    }
}
