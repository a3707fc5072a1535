/// A NumPy scalar type that can be converted to Float32.
struct NumpyDType {
    enum Kind { case float, signed, unsigned, bool }

    var kind: Kind
    var size: Int
    var bigEndian: Bool

    init(descr: String, file: String) throws {
        let unsupported = KerasInteropError.unsupportedNumpyDType(file: file, descr: descr)
        let scalars = Array(descr.unicodeScalars)
        guard scalars.count >= 3, let size = Int(String(String.UnicodeScalarView(scalars[2...]))) else { throw unsupported }
        switch scalars[0] {
        case "<", "|", "=": bigEndian = false
        case ">": bigEndian = true
        default: throw unsupported
        }
        switch (scalars[1], size) {
        case ("f", 4), ("f", 8): kind = .float
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
        case ("b", 1): kind = .bool
        default: throw unsupported
        }
        self.size = size
    }

    /// Converts `count` packed elements to Float32.
    func decode(_ raw: UnsafeRawBufferPointer, count: Int) -> [Float] {
        if kind == .float, size == 4, bigEndian == (UInt32(1).bigEndian == 1) {
            // Native-order float32 (what numpy.savez writes here): one copy, no per-element work.
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<(count &* 4)]))
                initialized = count
            }
        }
        func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
            let value = raw.loadUnaligned(fromByteOffset: i &* size, as: T.self)
            return bigEndian ? T(bigEndian: value) : T(littleEndian: value)
        }
        return (0..<count).map { i -> Float in
            switch (kind, size) {
            case (.float, 4): return Float(bitPattern: load(UInt32.self, i))
            case (.float, 8): return Float(Double(bitPattern: load(UInt64.self, i)))
            case (.signed, 1): return Float(load(Int8.self, i))
            case (.signed, 2): return Float(load(Int16.self, i))
            case (.signed, 4): return Float(load(Int32.self, i))
            case (.signed, _): return Float(load(Int64.self, i))
            case (.unsigned, 1), (.bool, _): return Float(load(UInt8.self, i))
            case (.unsigned, 2): return Float(load(UInt16.self, i))
            case (.unsigned, 4): return Float(load(UInt32.self, i))
            default: return Float(load(UInt64.self, i))
            }
        }
    }
}
