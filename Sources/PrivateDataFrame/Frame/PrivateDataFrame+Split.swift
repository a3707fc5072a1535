/// What decides which side of a split a row goes to. Never a data-dependent *choice*: each rule is a fixed,
/// seeded function, so the split costs no privacy budget.
public enum SplitKey: Sendable, Hashable {
    /// A keyed hash of all of the row's values (every column of the frame the key is read from). Removing or
    /// adding one row changes no other row's side: the rule for `add_remove` neighbours. The sizes of the two
    /// parts then depend on the data and are private.
    case rowContent
    /// A keyed hash of one declared id column's value (`split: {by: COLUMN}`); rows with the same id stay
    /// together. Stable under add/remove like `.rowContent`; sizes private.
    case column(String)
    /// A keyed hash of the row's position: the sizes are a public function of N (`splitSizes`), which suits
    /// `replace_one` neighbours (N public, positions unchanged by a replacement) but not add/remove, where
    /// removing one row shifts every later row.
    case position
}

extension PrivateDataFrame {
    /// Splits rows into a training and a test frame: row i goes to the test frame when its seeded hash under
    /// `key` falls below `testFraction`.
    ///
    /// - Parameters:
    ///   - testFraction: share of rows (in expectation) sent to the test part, strictly between 0 and 1.
    ///   - seed: the split's public seed, which keys the hash.
    ///   - key: what is hashed (see `SplitKey`).
    ///   - keySource: the frame the key's values are read from (default `self`), e.g. the loaded frame with
    ///     an id column the selection no longer has. It must have the same rows in the same order.
    /// - Throws: `.invalidArgument` for a fraction outside (0, 1) or a key source with another row count;
    ///   `.unknownColumn` for an id column the key source does not have.
    public func split(testFraction: Double, seed: UInt64, key: SplitKey,
                      keySource: PrivateDataFrame? = nil) throws -> (train: PrivateDataFrame, test: PrivateDataFrame) {
        let threshold = try Self.splitThreshold(testFraction)
        let source = keySource ?? self
        guard source.rowCount == rowCount else {
            throw DataFrameError.invalidArgument("the split's key frame must have the same rows as the frame split")
        }
        let hashes: [UInt64]
        switch key {
        case .position:
            hashes = (0..<rowCount).map { SplitMix64.hash(seed, UInt64($0)) }
        case .rowContent:
            hashes = Self.rowHashes(source.columns, selection: source.rowSelection, rows: rowCount, seed: seed)
        case .column(let name):
            hashes = Self.rowHashes([try source.column(named: name)], selection: source.rowSelection, rows: rowCount, seed: seed)
        }
        // The parts are views sharing this frame's storage: an index array each, not a copy of the data.
        var train: [Int] = [], test: [Int] = []
        train.reserveCapacity(rowCount)
        for (i, h) in hashes.enumerated() {
            if h < threshold { test.append(i) } else { train.append(i) }
        }
        return (gathering(train), gathering(test))
    }

    /// Seeded hash of each row's values in `columns`: SplitMix64 chained over the value bits (floats
    /// canonicalised so that −0 and 0, and all NaNs, hash alike; categories by their declared index, which does
    /// not depend on the data). A fixed public function of the row alone. `selection`: the key frame's rows in the
    /// columns' storage when it is a view.
    static func rowHashes(_ columns: [FrameColumn], selection: [Int]?, rows: Int, seed: UInt64) -> [UInt64] {
        var h = [UInt64](repeating: SplitMix64.mix(seed &+ 0x6A09_E667_F3BC_C909), count: rows)
        for (c, column) in columns.enumerated() {
            let salt = UInt64(c + 1) &* 0x9E37_79B9_7F4A_7C15
            switch column.storage {
            case .numeric(let v):
                for i in 0..<rows {
                    let x = v[selection?[i] ?? i]
                    let bits: UInt32 = x.isNaN ? 0x7FC0_0000 : (x == 0 ? 0 : x.bitPattern)
                    h[i] = SplitMix64.mix(h[i] ^ salt ^ (UInt64(bits) &* 0xD1B5_4A32_D192_ED03))
                }
            case .categorical(let v):
                for i in 0..<rows {
                    h[i] = SplitMix64.mix(h[i] ^ salt ^ (UInt64(UInt32(bitPattern: v[selection?[i] ?? i])) &* 0xC2B2_AE3D_27D4_EB4F) ^ 1)
                }
            case .text(let v):
                for i in 0..<rows {
                    // The row's tokens, each followed by a 0xFF separator (never a UTF-8 byte).
                    var t: UInt64 = 0
                    for token in v[selection?[i] ?? i] { t = TokenVocabulary.fnv1a64(Array(token.utf8) + [0xFF]) ^ SplitMix64.mix(t) }
                    h[i] = SplitMix64.mix(h[i] ^ salt ^ (t &* 0x94D0_49BB_1331_11EB) ^ 2)
                }
            }
        }
        return h.map { SplitMix64.mix($0) }
    }
}
