import Foundation
import MailKeysCore
import Testing

@testable import MailKeysDNS

/// Ed25519 keys in mailkeys' PKCS#8 PEM are read from their seed without OpenSSL's decoder: the
/// result must be the decoder's, and anything else must still go through the decoder.
@Suite struct DKIMKeysTests {
    @Test func ed25519FromTheSeedIsTheDecodersKey() throws {
        let pair = try DKIMKeys.generate(.ed25519)
        #expect(DKIMKeys.ed25519(pkcs8: pair.pem) != nil, "mailkeys' own PEM takes the short path")
        // Text before the PEM block: the short path declines, OpenSSL's decoder reads it.
        let decoded = "a comment\n" + pair.pem
        #expect(DKIMKeys.ed25519(pkcs8: decoded) == nil)
        let fast = try DKIMKeys.inspect(pem: pair.pem, name: "fast")
        let slow = try DKIMKeys.inspect(pem: decoded, name: "slow")
        #expect(fast.algorithm == .ed25519 && fast.publicKey == pair.publicKey && fast.bits == slow.bits)
        #expect(slow.publicKey == pair.publicKey)
        let rspamd = try DKIMKeys.rspamdEd25519(pem: pair.pem, name: "fast")
        #expect(rspamd == (try DKIMKeys.rspamdEd25519(pem: decoded, name: "slow")))
        #expect(Data(base64Encoded: rspamd)?.suffix(32) == Data(base64Encoded: pair.publicKey), "seed, then public key")
    }

    @Test func otherKeysAndDamagedOnesTakeTheDecoder() throws {
        let rsa = try DKIMKeys.generate(.rsa)
        #expect(DKIMKeys.ed25519(pkcs8: rsa.pem) == nil)
        #expect(try DKIMKeys.inspect(pem: rsa.pem, name: "rsa").publicKey == rsa.publicKey)
        // A damaged prefix (the algorithm's last octet) is not an Ed25519 key: refused by the decoder.
        let pair = try DKIMKeys.generate(.ed25519)
        let lines = pair.pem.split(separator: "\n").map(String.init)
        var der = try #require(Data(base64Encoded: lines[1]))
        der[11] ^= 0x01
        let damaged = [lines[0], der.base64EncodedString(), lines[2]].joined(separator: "\n") + "\n"
        #expect(DKIMKeys.ed25519(pkcs8: damaged) == nil)
        #expect(throws: DNSError.self) { try DKIMKeys.inspect(pem: damaged, name: "damaged") }
    }
}
