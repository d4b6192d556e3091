extension Array where Element == UInt8 {
    /// Appends the UTF-8 of `text`, and a newline if asked.
    mutating func append<S: StringProtocol>(text: S, newline: Bool) {
        var done = false
        if let s = text as? String {
            var s = s
            s.withUTF8 { append(contentsOf: $0) }
            done = true
        }
        if !done { append(contentsOf: text.utf8) }
        if newline { append(10) }
    }

    /// Appends `v` in decimal.
    mutating func append(decimal v: UInt32) {
        if v < 10 {
            append(UInt8(48 + v))
            return
        }
        var divisor: UInt32 = 1
        while v / divisor >= 10 { divisor *= 10 }
        var v = v
        while divisor > 0 {
            append(UInt8(48 + v / divisor))
            v %= divisor
            divisor /= 10
        }
    }

    /// Appends `bytes` in base64 (RFC 4648, with padding), as zone files write signatures.
    mutating func append(base64 bytes: UnsafeRawBufferPointer) {
        let table: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let t = table.utf8Start
        var i = 0
        let n = bytes.count
        while i + 3 <= n {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            append(t[Int(v >> 18)])
            append(t[Int(v >> 12 & 63)])
            append(t[Int(v >> 6 & 63)])
            append(t[Int(v & 63)])
            i += 3
        }
        if n - i == 1 {
            let v = UInt32(bytes[i]) << 16
            append(t[Int(v >> 18)])
            append(t[Int(v >> 12 & 63)])
            append(61)
            append(61)
        } else if n - i == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            append(t[Int(v >> 18)])
            append(t[Int(v >> 12 & 63)])
            append(t[Int(v >> 6 & 63)])
            append(61)
        }
    }
}
