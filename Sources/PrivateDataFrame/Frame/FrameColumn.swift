/// Columnar storage of one column. Internal: cell values never leave the module except through
/// DP-SGD training or DP releases.
enum ColumnStorage: Sendable {
    /// number, integer and boolean columns (booleans as 0/1), already clamped to the bounds.
    case numeric([Float])
    /// category columns: index into the declared values.
    case categorical([Int32])
    /// text columns: each row's tokens (at most the declared `max_length`); they never leave the module.
    case text([[String]])

    var count: Int {
        switch self {
        case let .numeric(v): return v.count
        case let .categorical(v): return v.count
        case let .text(v): return v.count
        }
    }

    /// The rows at `indices`, in that order.
    func gathering(_ indices: [Int]) -> ColumnStorage {
        switch self {
        case let .numeric(v): return .numeric(indices.map { v[$0] })
        case let .categorical(v): return .categorical(indices.map { v[$0] })
        case let .text(v): return .text(indices.map { v[$0] })
        }
    }

    /// A column of `count` rows holding row k of this one at row `indices[k]` (0 elsewhere): the inverse of
    /// `gathering` for a view's selection.
    func scattering(_ indices: [Int], count: Int) -> ColumnStorage {
        switch self {
        case let .numeric(v):
            var out = [Float](repeating: 0, count: count)
            for (k, i) in indices.enumerated() { out[i] = v[k] }
            return .numeric(out)
        case let .categorical(v):
            var out = [Int32](repeating: 0, count: count)
            for (k, i) in indices.enumerated() { out[i] = v[k] }
            return .categorical(out)
        case let .text(v):
            var out = [[String]](repeating: [], count: count)
            for (k, i) in indices.enumerated() { out[i] = v[k] }
            return .text(out)
        }
    }
}

/// One named column of a frame with its public declaration.
struct FrameColumn: Sendable {
    var name: String
    var spec: ColumnSpec
    var storage: ColumnStorage
}
