import CCSV
#if canImport(Glibc)
import Glibc
#endif

/// The state libcsv's callbacks write into while a file streams through the parser.
///
/// One instance per load; reached from the C callbacks through an unmanaged pointer. The first
/// error stops all further work (later callbacks return at once) and is thrown by the loader.
final class CSVLoadState {
    /// Where a CSV column goes.
    enum Target {
        case skip
        case number(dest: Int, lo: Double, hi: Double, integer: Bool, clamp: Bool, missing: Missing)
        case boolean(dest: Int, missing: Missing)
        case category(dest: Int, matcher: CategoryMatcher, missing: Missing)
    }
    enum Missing { case error, dropRow, fill(StoredValue) }

    let file: String
    let schema: Schema
    /// Physical line currently fed to the parser (1-based).
    var line = 1
    var inHeader = true
    var header: [String] = []
    var fieldIndex = 0
    var targets: [Target] = []
    var columnNames: [String] = []
    var columnSpecs: [ColumnSpec] = []
    var numeric: [[Float]] = []
    var categorical: [[Int32]] = []
    /// For each destination column, whether it is numeric (index into `numeric`) or not.
    var destinations: [(isNumeric: Bool, index: Int)] = []
    var dropRow = false
    var rows = 0
    var dataBytesSeen = 0
    var reservedRows = 0
    var fileSize = 0
    var error: DataFrameError?

    init(file: String, schema: Schema, fileSize: Int) {
        self.file = file
        self.schema = schema
        self.fileSize = fileSize
    }

    // MARK: field callback

    @inline(__always)
    func field(_ p: UnsafePointer<UInt8>?, _ n: Int) {
        if error != nil { return }
        if inHeader {
            header.append(p.map { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) } ?? "")
            return
        }
        let index = fieldIndex
        fieldIndex &+= 1
        guard index < targets.count else {
            if index == targets.count {
                error = .raggedRow(file: file, line: line, expected: targets.count, found: targets.count, orMore: true)
            }
            return
        }
        switch targets[index] {
        case .skip:
            return
        case let .number(dest, lo, hi, integer, clamp, missing):
            guard n > 0, let p else { return handleMissing(missing, dest: dest, numeric: true, column: index) }
            guard let v = FieldDecoder.parseNumber(p, n) else {
                error = .notANumber(file: file, line: line, column: header[index],
                                    expected: integer ? "an integer" : "a number")
                return
            }
            if integer && v != v.rounded() {
                error = .notANumber(file: file, line: line, column: header[index], expected: "an integer")
                return
            }
            var x = v
            if x < lo || x > hi {
                if !clamp {
                    error = .outOfBounds(file: file, line: line, column: header[index], bounds: lo...hi)
                    return
                }
                x = x < lo ? lo : hi
            }
            numeric[dest].append(Float(x))
        case let .boolean(dest, missing):
            guard n > 0, let p else { return handleMissing(missing, dest: dest, numeric: true, column: index) }
            guard let b = FieldDecoder.parseBoolean(p, n) else {
                error = .notANumber(file: file, line: line, column: header[index], expected: "a boolean (true/false)")
                return
            }
            numeric[dest].append(b ? 1 : 0)
        case let .category(dest, matcher, missing):
            guard n > 0, let p else { return handleMissing(missing, dest: dest, numeric: false, column: index) }
            guard let k = matcher.index(of: p, count: n) else {
                error = .unknownCategory(file: file, line: line, column: header[index], declaredCount: matcher.count)
                return
            }
            categorical[dest].append(k)
        }
    }

    @inline(__always)
    private func handleMissing(_ missing: Missing, dest: Int, numeric isNumeric: Bool, column: Int) {
        switch missing {
        case .error:
            error = .missingValue(file: file, line: line, column: header[column])
        case .dropRow:
            dropRow = true
            if isNumeric { numeric[dest].append(0) } else { categorical[dest].append(0) }
        case let .fill(value):
            switch value {
            case let .number(x): numeric[dest].append(x)
            case let .category(k): categorical[dest].append(k)
            }
        }
    }

    // MARK: row callback

    @inline(__always)
    func endOfRow() {
        if error != nil { return }
        if inHeader {
            inHeader = false
            resolveHeader()
            return
        }
        if fieldIndex != targets.count {
            if fieldIndex < targets.count {
                error = .raggedRow(file: file, line: line, expected: targets.count, found: fieldIndex, orMore: false)
            }
            return
        }
        fieldIndex = 0
        if dropRow {
            dropRow = false
            for k in numeric.indices { numeric[k].removeLast() }
            for k in categorical.indices { categorical[k].removeLast() }
            return
        }
        rows &+= 1
        if rows == 1024 { reserveFromEstimate() }
    }

    /// After the first rows, reserve column capacity from the file size so that growth does not
    /// double the peak memory (estimate × 1.05; the arrays still grow if it is short).
    private func reserveFromEstimate() {
        guard dataBytesSeen > 0, fileSize > 0 else { return }
        let perRow = Double(dataBytesSeen) / Double(rows)
        let estimate = Int(Double(fileSize) / perRow * 1.05) + 1024
        guard estimate > rows else { return }
        for k in numeric.indices { numeric[k].reserveCapacity(estimate) }
        for k in categorical.indices { categorical[k].reserveCapacity(estimate) }
        reservedRows = estimate
    }

    /// Matches the header against the schema and builds one target per CSV column.
    private func resolveHeader() {
        var seen = Set<String>()
        for (i, name) in header.enumerated() {
            if name.isEmpty { error = .emptyColumnName(file: file, position: i + 1); return }
        }
        // A header that names none of the declared columns, or has a number as a column name
        // not declared as such, is most likely a data row: refuse without echoing it.
        let declaredHits = header.filter { schema.columns[$0] != nil }.count
        if !schema.columns.isEmpty && declaredHits == 0 { error = .missingHeader(file: file); return }
        for name in header where schema.columns[name] == nil {
            var bytes = Array(name.utf8); let n = bytes.count; bytes.append(0)
            if bytes.withUnsafeBufferPointer({ FieldDecoder.parseNumber($0.baseAddress!, n) }) != nil {
                error = .missingHeader(file: file); return
            }
        }
        for name in header {
            if !seen.insert(name).inserted { error = .duplicateColumn(file: file, column: name); return }
        }
        for name in schema.columns.keys.sorted() where !seen.contains(name) {
            error = .missingColumn(file: file, column: name); return
        }
        for name in header {
            guard let spec = schema.spec(for: name) else {
                error = .undeclaredColumn(file: file, column: name); return
            }
            let missing: Missing
            switch spec.missing {
            case .error: missing = .error
            case .dropRow: missing = .dropRow
            case let .fill(text):
                guard let v = FieldDecoder.decodeDeclared(text, kind: spec.kind) else {
                    if spec.kind == .ignore { missing = .error; break }
                    error = .invalidSchema(column: name, reason: "missing-value default is not a valid \(spec.kind.typeName)")
                    return
                }
                missing = .fill(v)
            }
            switch spec.kind {
            case .ignore:
                targets.append(.skip)
                continue
            case let .number(lo, hi), let .integer(lo, hi):
                var isInteger = false
                if case .integer = spec.kind { isInteger = true }
                targets.append(.number(dest: numeric.count, lo: lo, hi: hi, integer: isInteger,
                                       clamp: spec.outOfBounds == .clamp, missing: missing))
                destinations.append((true, numeric.count)); numeric.append([])
            case .boolean:
                targets.append(.boolean(dest: numeric.count, missing: missing))
                destinations.append((true, numeric.count)); numeric.append([])
            case let .category(values):
                targets.append(.category(dest: categorical.count, matcher: CategoryMatcher(values), missing: missing))
                destinations.append((false, categorical.count)); categorical.append([])
            }
            columnNames.append(name)
            columnSpecs.append(spec)
        }
    }

    /// Builds the frame's columns (moves the storage out).
    func takeColumns() -> [FrameColumn] {
        var out: [FrameColumn] = []
        for (k, d) in destinations.enumerated() {
            let storage: ColumnStorage
            if d.isNumeric {
                storage = .numeric(numeric[d.index]); numeric[d.index] = []
            } else {
                storage = .categorical(categorical[d.index]); categorical[d.index] = []
            }
            out.append(FrameColumn(name: columnNames[k], spec: columnSpecs[k], storage: storage))
        }
        return out
    }
}

/// Finds a category's index from raw bytes without allocating for small value lists.
final class CategoryMatcher {
    let values: [[UInt8]]
    let lookup: [String: Int32]?
    var count: Int { values.count }

    init(_ declared: [String]) {
        values = declared.map { Array($0.utf8) }
        lookup = declared.count > 16
            ? Dictionary(uniqueKeysWithValues: declared.enumerated().map { ($1, Int32($0)) }) : nil
    }

    @inline(__always)
    func index(of p: UnsafePointer<UInt8>, count n: Int) -> Int32? {
        if let lookup {
            return lookup[String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)]
        }
        for (k, v) in values.enumerated() where v.count == n {
            if v.withUnsafeBufferPointer({ memcmp($0.baseAddress!, p, n) == 0 }) { return Int32(k) }
        }
        return nil
    }
}
