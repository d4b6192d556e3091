import MailKeysCore
import MailKeysDNS
import Testing

@testable import MailKeysKit

/// Keys generated ahead on every core: as many of each size as asked, each a distinct valid key
/// whose public half is the one handed out, then none.
@Suite struct DKIMKeyPoolTests {
    @Test func handsOutWhatItMadeThenNothing() throws {
        let pool = try DKIMKeyPool(counts: [2048: 3, 3072: 1])
        var publics = Set<String>()
        for _ in 0..<3 {
            let pair = try #require(pool.take(bits: 2048))
            let found = try DKIMKeys.inspect(pem: pair.pem, name: "pooled")
            #expect(found.algorithm == .rsa && found.bits == 2048 && found.publicKey == pair.publicKey)
            publics.insert(pair.publicKey)
        }
        #expect(publics.count == 3)
        #expect(pool.take(bits: 2048) == nil)
        #expect(try DKIMKeys.inspect(pem: try #require(pool.take(bits: 3072)).pem, name: "pooled").bits == 3072)
        #expect(pool.take(bits: 4096) == nil)
        #expect(DKIMKeyPool().take(bits: 2048) == nil)
    }
}
