/// Columnar storage of one column. Internal: cell values never leave the module except through
/// DP-SGD training or DP releases.
enum ColumnStorage: Sendable {
    /// number, integer and boolean columns (booleans as 0/1), already clamped to the bounds.
    case numeric([Float])
    /// category columns: index into the declared values.
    case categorical([Int32])

    var count: Int {
        switch self {
        case let .numeric(v): return v.count
        case let .categorical(v): return v.count
        }
    }

    /// The rows at `indices`, in that order.
    func gathering(_ indices: [Int]) -> ColumnStorage {
        switch self {
        case let .numeric(v): return .numeric(indices.map { v[$0] })
        case let .categorical(v): return .categorical(indices.map { v[$0] })
        }
    }
}

/// One named column of a frame with its public declaration.
struct FrameColumn: Sendable {
    var name: String
    var spec: ColumnSpec
    var storage: ColumnStorage
}
