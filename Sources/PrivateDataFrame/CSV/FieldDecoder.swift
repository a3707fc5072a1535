#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes CSV fields from raw bytes without allocating: decimal numbers, booleans.
enum FieldDecoder {
    /// Exact powers of ten representable in a Double (10^0 … 10^22).
    @usableFromInline static let powersOfTen: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }

    /// Parses a decimal number (`[+-]digits[.digits][(e|E)[+-]digits]`) from `n` bytes at `p`.
    /// Returns nil for anything else (including `nan`, `inf`, hex, empty, trailing garbage).
    ///
    /// Fast path (Clinger 1990): up to 19 digits in all (leading zeros included) and an exponent in
    /// [-22, 22] give `Double(mantissa) ×/÷ 10^k`, correctly rounded when the mantissa is below
    /// 2^53 and within one Double ulp otherwise; the Float32 stored from it is then at most one
    /// Float ulp away (only in near-tie cases). Everything else goes through `strtod`, which
    /// needs the NUL terminator that libcsv's `CSV_APPEND_NULL` guarantees.
    @inline(__always)
    static func parseNumber(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        var i = 0
        var negative = false
        if n == 0 { return nil }
        if p[0] == 0x2D { negative = true; i = 1 } else if p[0] == 0x2B { i = 1 }
        var mantissa: UInt64 = 0
        let intStart = i
        while i < n {
            let d = p[i] &- 0x30
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i &+= 1
        }
        var digits = i &- intStart
        var exp10 = 0
        if i < n && p[i] == 0x2E {
            i &+= 1
            let fracStart = i
            while i < n {
                let d = p[i] &- 0x30
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i &+= 1
            }
            exp10 = fracStart &- i
            digits &+= i &- fracStart
        }
        guard digits > 0 else { return nil }
        if i < n && (p[i] == 0x65 || p[i] == 0x45) {
            i &+= 1
            var expNegative = false
            if i < n && (p[i] == 0x2D || p[i] == 0x2B) { expNegative = p[i] == 0x2D; i &+= 1 }
            var e = 0
            var sawExpDigit = false
            while i < n {
                let d = p[i] &- 0x30
                if d > 9 { break }
                sawExpDigit = true
                if e < 100_000 { e = e &* 10 &+ Int(d) }
                i &+= 1
            }
            guard sawExpDigit else { return nil }
            exp10 = expNegative ? exp10 &- e : exp10 &+ e
        }
        guard i == n else { return nil }
        // Up to 19 digits (leading zeros included) cannot overflow the UInt64 mantissa.
        if digits <= 19 && exp10 >= -22 && exp10 <= 22 {
            var v = Double(mantissa)
            v = exp10 < 0 ? v / powersOfTen[-exp10] : v * powersOfTen[exp10]
            return negative ? -v : v
        }
        // Slow path: the field is a valid decimal literal; let the C library round it.
        let v = p.withMemoryRebound(to: CChar.self, capacity: n + 1) { strtod($0, nil) }
        return v.isFinite ? v : nil
    }

    /// True when `v` has no fractional part (without a libm call).
    @inline(__always)
    static func isIntegral(_ v: Double) -> Bool {
        abs(v) >= 4_503_599_627_370_496 || Double(Int64(v)) == v      // ≥ 2^52: always integral
    }

    /// Parses a boolean: true/false, t/f, yes/no, y/n, 1/0 (ASCII, any case).
    @inline(__always)
    static func parseBoolean(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool? {
        guard n >= 1 && n <= 5 else { return nil }
        var lower: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &lower) { buf in
            for k in 0..<n { let c = p[k]; buf[k] = (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }
        }
        let word = lower
        func eq(_ s: StaticString) -> Bool {
            guard s.utf8CodeUnitCount == n else { return false }
            return withUnsafeBytes(of: word) { buf in
                for k in 0..<n where buf[k] != s.utf8Start[k] { return false }
                return true
            }
        }
        if eq("true") || eq("t") || eq("yes") || eq("y") || eq("1") { return true }
        if eq("false") || eq("f") || eq("no") || eq("n") || eq("0") { return false }
        return nil
    }

    /// Decodes a value written in the schema (a missing-value default) for `kind`:
    /// the stored representation (Float for numeric kinds, class index for categories), or nil
    /// when it is not a valid value of that kind inside its bounds.
    static func decodeDeclared(_ text: String, kind: ColumnKind) -> StoredValue? {
        var bytes = Array(text.utf8)
        let n = bytes.count
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { buf -> StoredValue? in
            let p = buf.baseAddress!
            switch kind {
            case let .number(lo, hi), let .integer(lo, hi):
                guard let v = parseNumber(p, n), v >= lo, v <= hi else { return nil }
                if case .integer = kind, !isIntegral(v) { return nil }
                return .number(Float(v))
            case .boolean:
                return parseBoolean(p, n).map { .number($0 ? 1 : 0) }
            case let .category(values):
                return values.firstIndex(of: text).map { .category(Int32($0)) }
            case .ignore, .text:
                return nil
            }
        }
    }
}

/// A cell as stored in columnar storage.
enum StoredValue: Sendable, Equatable {
    case number(Float)
    case category(Int32)
}
