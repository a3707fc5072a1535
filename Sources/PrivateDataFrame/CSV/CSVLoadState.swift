import CCSV
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one CSV column is decoded (plain data, read in the per-field hot path).
struct FieldPlan {
    enum Kind: UInt8 { case skip, number, integer, boolean, category, text }
    /// What a missing or invalid cell does: fail, drop the row, or store the declared value.
    enum Action: UInt8 { case error, dropRow, fill }
    enum Bounds: UInt8 { case clamp, dropRow, error }
    var kind: Kind = .skip
    var bounds: Bounds = .clamp
    var missing: Action = .error
    var invalid: Action = .error
    /// Index into the float columns (number/integer/boolean) or the category columns.
    var dest = 0
    var lo = 0.0
    var hi = 0.0
    var missingFloat: Float = 0
    var missingIndex: Int32 = 0
    var invalidFloat: Float = 0
    var invalidIndex: Int32 = 0
}

/// The mutable state libcsv's callbacks touch for every field, kept in one manually allocated
/// struct and reached through a raw pointer: no reference counting, no exclusivity checks and no
/// Swift array bounds/uniqueness checks per cell. Values of row r are written at index r of
/// every column; a dropped row is simply not counted and is overwritten by the next one.
struct CSVHotState {
    var line = 1
    var fieldIndex = 0
    var fieldCount = 0
    var rows = 0
    var capacity = 0
    var dataBytesSeen = 0
    var drop = false
    var dropRagged = false
    /// Set while reading the header and after an error: every callback takes the slow path.
    var slow = true
    var inHeader = true
    var plans: UnsafeMutablePointer<FieldPlan>?
    var floatColumns: UnsafeMutablePointer<UnsafeMutablePointer<Float>>?
    var categoryColumns: UnsafeMutablePointer<UnsafeMutablePointer<Int32>>?
    var owner: Unmanaged<CSVLoadState>
}

/// Streaming decode of libcsv's callbacks into columnar storage: the header, the plans, errors.
///
/// Every value-level problem (missing, invalid, out of bounds, unknown category, ragged row) is
/// handled by its declared policy; only the `error` policies stop the load (the first error stops
/// all further work and is thrown by the loader; it names file, line and column, never the cell).
/// With a `collector` (the owner's `check`), every problem is recorded with its value and the
/// `error` policies act as `drop_row` so that the whole file is diagnosed.
final class CSVLoadState {
    let file: String
    let schema: Schema
    let fileSize: Int
    let collector: CSVProblemCollector?
    let hot: UnsafeMutablePointer<CSVHotState>
    var header: [String] = []
    var columnNames: [String] = []
    var columnSpecs: [ColumnSpec] = []
    /// Per kept column: (is float column, index in its kind).
    var destinations: [(isFloat: Bool, index: Int)] = []
    var matchers: [CategoryMatcher] = []
    /// Text columns: each row's tokens (slot `rows` is overwritten until the row is kept), and their tokenisers.
    var texts: [[[String]]] = []
    var tokenizers: [TextTokenizer] = []
    /// Destinations (`destinations[k].index`) of text columns are marked by this offset.
    static let textDestination = 1 << 40
    var floatCount = 0
    var categoryCount = 0
    var estimated = false
    var error: DataFrameError?

    init(file: String, schema: Schema, fileSize: Int, collector: CSVProblemCollector? = nil) {
        self.file = file
        self.schema = schema
        self.fileSize = fileSize
        self.collector = collector
        hot = .allocate(capacity: 1)
        hot.initialize(to: CSVHotState(owner: .passUnretained(self)))
    }

    deinit {
        let h = hot.pointee
        if let f = h.floatColumns {
            for k in 0..<floatCount { free(f[k]) }
            f.deallocate()
        }
        if let c = h.categoryColumns {
            for k in 0..<categoryCount { free(c[k]) }
            c.deallocate()
        }
        h.plans?.deallocate()
        hot.deinitialize(count: 1)
        hot.deallocate()
    }

    var line: Int { hot.pointee.line }
    var inHeader: Bool { hot.pointee.inHeader }
    var rows: Int { hot.pointee.rows }

    func fail(_ e: DataFrameError) {
        if error == nil { error = e }
        hot.pointee.slow = true
        hot.pointee.inHeader = false
    }

    // MARK: hot path (static, on the raw state)

    @inline(__always)
    static func field(_ h: UnsafeMutablePointer<CSVHotState>, _ p: UnsafePointer<UInt8>?, _ n: Int) {
        if h.pointee.slow {
            if h.pointee.inHeader {
                h.pointee.owner.takeUnretainedValue().header.append(
                    p.map { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) } ?? "")
            }
            return
        }
        let index = h.pointee.fieldIndex
        h.pointee.fieldIndex = index &+ 1
        guard index < h.pointee.fieldCount else { return }
        let plan = h.pointee.plans.unsafelyUnwrapped[index]
        let row = h.pointee.rows
        switch plan.kind {
        case .skip:
            return
        case .number, .integer:
            guard n > 0, let p else { return missing(h, plan, index) }
            guard var v = FieldDecoder.parseNumber(p, n) else {
                return invalid(h, plan, index, p, n, plan.kind == .integer ? "an integer" : "a number")
            }
            if plan.kind == .integer && !FieldDecoder.isIntegral(v) { return invalid(h, plan, index, p, n, "an integer") }
            if v < plan.lo || v > plan.hi {
                if plan.bounds != .clamp || h.pointee.owner.takeUnretainedValue().collector != nil {
                    if !outOfBounds(h, plan, index, p, n) { return }
                }
                v = v < plan.lo ? plan.lo : plan.hi
            }
            h.pointee.floatColumns.unsafelyUnwrapped[plan.dest][row] = Float(v)
        case .boolean:
            guard n > 0, let p else { return missing(h, plan, index) }
            guard let b = FieldDecoder.parseBoolean(p, n) else { return invalid(h, plan, index, p, n, "a boolean (true/false)") }
            h.pointee.floatColumns.unsafelyUnwrapped[plan.dest][row] = b ? 1 : 0
        case .category:
            guard n > 0, let p else { return missing(h, plan, index) }
            let s = h.pointee.owner.takeUnretainedValue()
            guard let k = s.matchers[plan.dest].index(of: p, count: n) else {
                return unknownCategory(h, plan, index, p, n)
            }
            h.pointee.categoryColumns.unsafelyUnwrapped[plan.dest][row] = k
        case .text:
            // An empty cell is an empty document. Tokenising is bounded (see `TextTokenizer`).
            let s = h.pointee.owner.takeUnretainedValue()
            let tokens: [String]
            if n > 0, let p {
                do { tokens = try s.tokenizers[plan.dest].tokens(utf8: UnsafeBufferPointer(start: p, count: n)) }
                catch { return invalid(h, plan, index, p, n, "valid UTF-8 text") }
            } else {
                tokens = []
            }
            while s.texts[plan.dest].count < row { s.texts[plan.dest].append([]) }
            if row < s.texts[plan.dest].count { s.texts[plan.dest][row] = tokens } else { s.texts[plan.dest].append(tokens) }
        }
    }

    /// Applies a missing/invalid action: fail, drop the row, or store the declared value.
    static func apply(_ h: UnsafeMutablePointer<CSVHotState>, _ action: FieldPlan.Action, _ plan: FieldPlan,
                      float: Float, index: Int32, error: @autoclosure () -> DataFrameError) {
        switch action {
        case .error:
            h.pointee.owner.takeUnretainedValue().fail(error())
        case .dropRow:
            h.pointee.drop = true
        case .fill:
            if plan.kind == .category {
                h.pointee.categoryColumns.unsafelyUnwrapped[plan.dest][h.pointee.rows] = index
            } else {
                h.pointee.floatColumns.unsafelyUnwrapped[plan.dest][h.pointee.rows] = float
            }
        }
    }

    static func actionText(_ action: FieldPlan.Action) -> String {
        switch action {
        case .error, .dropRow: return "row dropped"
        case .fill: return "declared default stored"
        }
    }

    static func record(_ s: CSVLoadState, _ kind: CSVCheckReport.Kind, _ index: Int, _ message: @autoclosure () -> String,
                       action: String) {
        guard let c = s.collector else { return }
        let line = s.hot.pointee.line
        c.add(CSVCheckReport.Problem(kind: kind, line: line, field: index + 1, column: s.header[index],
                                     message: message(), action: action, file: s.file), kind: kind)
    }

    static func invalid(_ h: UnsafeMutablePointer<CSVHotState>, _ plan: FieldPlan, _ index: Int,
                        _ p: UnsafePointer<UInt8>, _ n: Int, _ expected: String) {
        let s = h.pointee.owner.takeUnretainedValue()
        record(s, .invalid, index, "value \(CSVProblemCollector.show(p, n)) is not \(expected)", action: actionText(plan.invalid))
        apply(h, plan.invalid, plan, float: plan.invalidFloat, index: plan.invalidIndex,
              error: .notANumber(file: s.file, line: h.pointee.line, column: s.header[index], expected: expected))
    }

    static func unknownCategory(_ h: UnsafeMutablePointer<CSVHotState>, _ plan: FieldPlan, _ index: Int,
                                _ p: UnsafePointer<UInt8>, _ n: Int) {
        let s = h.pointee.owner.takeUnretainedValue()
        let count = s.matchers[plan.dest].count
        record(s, .unknownCategory, index, "value \(CSVProblemCollector.show(p, n)) is not one of the \(count) declared categories",
               action: actionText(plan.invalid))
        apply(h, plan.invalid, plan, float: plan.invalidFloat, index: plan.invalidIndex,
              error: .unknownCategory(file: s.file, line: h.pointee.line, column: s.header[index], declaredCount: count))
    }

    /// Reports an out-of-bounds number; returns true when the value is to be clamped and stored.
    static func outOfBounds(_ h: UnsafeMutablePointer<CSVHotState>, _ plan: FieldPlan, _ index: Int,
                            _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let s = h.pointee.owner.takeUnretainedValue()
        record(s, .outOfBounds, index,
               "value \(CSVProblemCollector.show(p, n)) outside the declared bounds [\(Self.format(plan.lo)), \(Self.format(plan.hi))]",
               action: plan.bounds == .clamp ? "clamped" : "row dropped")
        switch plan.bounds {
        case .clamp: return true
        case .dropRow: h.pointee.drop = true; return false
        case .error:
            s.fail(.outOfBounds(file: s.file, line: h.pointee.line, column: s.header[index], bounds: plan.lo...plan.hi))
            return false
        }
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }

    static func missing(_ h: UnsafeMutablePointer<CSVHotState>, _ plan: FieldPlan, _ index: Int) {
        let s = h.pointee.owner.takeUnretainedValue()
        record(s, .missing, index, "empty value", action: actionText(plan.missing))
        apply(h, plan.missing, plan, float: plan.missingFloat, index: plan.missingIndex,
              error: .missingValue(file: s.file, line: h.pointee.line, column: s.header[index]))
    }

    @inline(__always)
    static func endOfRow(_ h: UnsafeMutablePointer<CSVHotState>) {
        if h.pointee.slow {
            if h.pointee.inHeader { h.pointee.owner.takeUnretainedValue().resolveHeader() }
            return
        }
        let found = h.pointee.fieldIndex
        h.pointee.fieldIndex = 0
        let s = h.pointee.owner.takeUnretainedValue()
        s.collector?.rowsRead += 1
        if found != h.pointee.fieldCount {
            let expected = h.pointee.fieldCount
            if let c = s.collector {
                c.add(CSVCheckReport.Problem(kind: .ragged, line: h.pointee.line, field: nil, column: nil,
                                             message: "row has \(found) field\(found == 1 ? "" : "s"), the header has \(expected)",
                                             action: "row dropped", file: s.file), kind: .ragged)
            }
            h.pointee.drop = false
            if !h.pointee.dropRagged {
                s.fail(.raggedRow(file: s.file, line: h.pointee.line, expected: expected,
                                  found: found > expected ? expected : found, orMore: found > expected))
            }
            return
        }
        if h.pointee.drop { h.pointee.drop = false; return }
        // A check keeps no values: every row is decoded into slot 0 and only counted.
        if let c = s.collector { c.rowsKept += 1; return }
        h.pointee.rows &+= 1
        if h.pointee.rows == h.pointee.capacity { s.grow() }
    }

    // MARK: storage

    /// Grows every column. At the first growth the capacity is estimated from the file size
    /// (× 1.05) so that the columns are allocated once at about their final size, keeping peak
    /// memory near the Float storage itself; if the estimate is short, × 1.5. Out of memory stops
    /// the load with an error (never a trap).
    func grow() {
        let h = hot.pointee
        var newCapacity = h.capacity + max(h.capacity / 2, 1)
        if !estimated, h.rows > 0, h.dataBytesSeen > 0, fileSize > 0 {
            estimated = true
            let estimate = Double(fileSize) / (Double(h.dataBytesSeen) / Double(h.rows)) * 1.05 + 16
            if estimate < Double(Int32.max) { newCapacity = max(newCapacity, Int(estimate)) }
        }
        for k in 0..<floatCount {
            guard let p = realloc(h.floatColumns.unsafelyUnwrapped[k], newCapacity * MemoryLayout<Float>.stride) else {
                return fail(.fileUnreadable(file: file, reason: "out of memory while loading the columns"))
            }
            h.floatColumns.unsafelyUnwrapped[k] = p.assumingMemoryBound(to: Float.self)
        }
        for k in 0..<categoryCount {
            guard let p = realloc(h.categoryColumns.unsafelyUnwrapped[k], newCapacity * MemoryLayout<Int32>.stride) else {
                return fail(.fileUnreadable(file: file, reason: "out of memory while loading the columns"))
            }
            h.categoryColumns.unsafelyUnwrapped[k] = p.assumingMemoryBound(to: Int32.self)
        }
        hot.pointee.capacity = newCapacity
    }

    /// Matches the header against the schema and builds one plan per CSV column.
    func resolveHeader() {
        hot.pointee.inHeader = false
        if let mismatch = schema.headerMismatch(header) {
            switch mismatch {
            case let .emptyName(position): return fail(.emptyColumnName(file: file, position: position))
            case .noHeader: return fail(.missingHeader(file: file))
            case let .undeclared(names): return fail(.undeclaredColumn(file: file, column: names[0]))
            case let .duplicate(name): return fail(.duplicateColumn(file: file, column: name))
            case let .missing(names): return fail(.missingColumn(file: file, column: names[0]))
            case .imageColumns: return fail(.invalidSchema(column: "image", reason: mismatch.authorMessage))
            }
        }
        let checking = collector != nil
        func action(_ policy: CellPolicy, _ name: String, _ kind: ColumnKind, _ what: String) -> (FieldPlan.Action, StoredValue?)? {
            switch policy {
            case .error: return (checking ? .dropRow : .error, nil)
            case .dropRow: return (.dropRow, nil)
            case let .fill(text):
                guard let v = FieldDecoder.decodeDeclared(text, kind: kind) else {
                    if kind == .ignore { return (.error, nil) }
                    fail(.invalidSchema(column: name, reason: "\(what) default is not a valid \(kind.typeName)"))
                    return nil
                }
                return (.fill, v)
            }
        }
        var plans: [FieldPlan] = []
        plans.reserveCapacity(header.count)
        for name in header {
            guard let spec = schema.spec(for: name) else { return fail(.undeclaredColumn(file: file, column: name)) }
            var plan = FieldPlan()
            guard let (missingAction, missingValue) = action(spec.missing, name, spec.kind, "missing-value"),
                  let (invalidAction, invalidValue) = action(spec.invalid, name, spec.kind, "invalid-value") else { return }
            plan.missing = missingAction
            plan.invalid = invalidAction
            switch missingValue {
            case let .number(x)?: plan.missingFloat = x
            case let .category(k)?: plan.missingIndex = k
            case nil: break
            }
            switch invalidValue {
            case let .number(x)?: plan.invalidFloat = x
            case let .category(k)?: plan.invalidIndex = k
            case nil: break
            }
            switch spec.kind {
            case .ignore:
                plans.append(plan)
                continue
            case let .number(lo, hi), let .integer(lo, hi):
                if case .integer = spec.kind { plan.kind = .integer } else { plan.kind = .number }
                plan.lo = lo; plan.hi = hi
                switch spec.outOfBounds {
                case .clamp: plan.bounds = .clamp
                case .dropRow: plan.bounds = .dropRow
                case .error: plan.bounds = checking ? .dropRow : .error
                }
                plan.dest = floatCount; destinations.append((true, floatCount)); floatCount += 1
            case .boolean:
                plan.kind = .boolean
                plan.dest = floatCount; destinations.append((true, floatCount)); floatCount += 1
            case let .category(values):
                plan.kind = .category
                plan.dest = categoryCount; destinations.append((false, categoryCount)); categoryCount += 1
                matchers.append(CategoryMatcher(values))
            case let .text(t):
                plan.kind = .text
                plan.dest = texts.count
                destinations.append((false, Self.textDestination + texts.count))
                texts.append([]); tokenizers.append(t.tokenizer)
            }
            plans.append(plan)
            columnNames.append(name)
            columnSpecs.append(spec)
        }
        hot.pointee.dropRagged = checking || schema.raggedRows == .dropRow
        // Start with at most ~16 MB of column storage whatever the number of columns (a check,
        // which keeps no rows, needs one slot).
        let stored = max(floatCount + categoryCount, 1)
        let capacity = checking ? 2 : max(2, min(1024, (16 << 20) / (4 * stored)))
        let planBuffer = UnsafeMutablePointer<FieldPlan>.allocate(capacity: max(plans.count, 1))
        planBuffer.initialize(from: plans, count: plans.count)
        let floats = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(capacity: max(floatCount, 1))
        let cats = UnsafeMutablePointer<UnsafeMutablePointer<Int32>>.allocate(capacity: max(categoryCount, 1))
        hot.pointee.floatColumns = floats
        hot.pointee.categoryColumns = cats
        let allocatedFloats = floatCount, allocatedCategories = categoryCount
        floatCount = 0; categoryCount = 0      // deinit frees only what was allocated
        for k in 0..<allocatedFloats {
            guard let p = malloc(capacity * 4) else { return fail(.fileUnreadable(file: file, reason: "out of memory")) }
            floats[k] = p.assumingMemoryBound(to: Float.self); floatCount = k + 1
        }
        for k in 0..<allocatedCategories {
            guard let p = malloc(capacity * 4) else { return fail(.fileUnreadable(file: file, reason: "out of memory")) }
            cats[k] = p.assumingMemoryBound(to: Int32.self); categoryCount = k + 1
        }
        hot.pointee.plans = planBuffer
        hot.pointee.capacity = capacity
        hot.pointee.fieldCount = header.count
        hot.pointee.slow = false
    }

    /// Builds the frame's columns, copying one column at a time into a Swift array and freeing
    /// its buffer at once (peak memory: the storage plus one column).
    func takeColumns() -> [FrameColumn] {
        let rows = hot.pointee.rows
        var out: [FrameColumn] = []
        for (k, d) in destinations.enumerated() {
            let storage: ColumnStorage
            if d.index >= Self.textDestination {
                let k = d.index - Self.textDestination
                var rowsTokens = texts[k]
                texts[k] = []
                if rowsTokens.count > rows { rowsTokens.removeSubrange(rows...) }
                while rowsTokens.count < rows { rowsTokens.append([]) }
                storage = .text(rowsTokens)
            } else if d.isFloat {
                let p = hot.pointee.floatColumns![d.index]
                storage = .numeric(Array(UnsafeBufferPointer(start: p, count: rows)))
                hot.pointee.floatColumns![d.index] = realloc(p, 4)!.assumingMemoryBound(to: Float.self)
            } else {
                let p = hot.pointee.categoryColumns![d.index]
                storage = .categorical(Array(UnsafeBufferPointer(start: p, count: rows)))
                hot.pointee.categoryColumns![d.index] = realloc(p, 4)!.assumingMemoryBound(to: Int32.self)
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
