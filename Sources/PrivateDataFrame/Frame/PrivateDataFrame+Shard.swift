extension PrivateDataFrame {
    /// The rows `keep(i)` selects, `i` the 0-based position in this frame (for a loaded frame: the position
    /// among the rows the schema kept, in file order). A data-parallel job keeps its rank's shard right after
    /// loading, so no later stage of a rank holds another rank's rows. Row positions are public facts; which
    /// rows a shard gets never depends on a value.
    public func keepingRows(where keep: (Int) -> Bool) -> PrivateDataFrame {
        gathering((0..<rowCount).filter(keep))
    }
}
