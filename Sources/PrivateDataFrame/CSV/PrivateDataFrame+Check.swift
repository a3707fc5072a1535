extension PrivateDataFrame {
    /// Checks a CSV file against a schema **for the data owner**: every value-level problem with
    /// its line, field, column and value, and what a load under the declared policies does with it.
    ///
    /// Spends no budget and keeps no values (memory does not grow with the file). The report is
    /// operator output: it contains data (values, line numbers, counts) and must never reach a
    /// pipeline author or an output folder. The check applies the same decoding as `load`; a
    /// policy `error` is reported like any other problem and does not stop the check.
    /// - Parameters:
    ///   - path: the CSV file.
    ///   - schema: the declaration to check against.
    ///   - limit: how many problems are kept in `problems` (all are counted in `counts`).
    ///   - displayName: how the file is named in the report (defaults to the path).
    ///
    /// A structural problem (unreadable file, header not matching, malformed CSV with the line where a
    /// bad quote opened) stops the check and is returned in `failure`, with the problems found before it.
    /// - Throws: `DataFrameError.invalidSchema` when the schema itself is invalid.
    public static func check(csv path: String, schema: Schema, limit: Int = 100,
                             displayName: String? = nil) throws -> CSVCheckReport {
        let collector = CSVProblemCollector(limit: limit)
        try schema.validate()
        var failure: DataFrameError?
        do {
            _ = try CSVLoader.load(path: path, schema: schema, displayName: displayName, hashing: false, collector: collector)
        } catch let error as DataFrameError {
            failure = error
        }
        return CSVCheckReport(problems: collector.problems, counts: collector.counts,
                              rowsRead: collector.rowsRead, rowsKept: collector.rowsKept, failure: failure)
    }
}
