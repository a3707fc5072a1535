import CCSV
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one CSV column is decoded (plain data, read in the per-field hot path).
struct FieldPlan {
    enum Kind: UInt8 { case skip, number, integer, boolean, category }
    enum Missing: UInt8 { case error, dropRow, fill }
    var kind: Kind = .skip
    var clamp = true
    var missing: Missing = .error
    /// Index into the float columns (number/integer/boolean) or the category columns.
    var dest = 0
    var lo = 0.0
    var hi = 0.0
    var fillFloat: Float = 0
    var fillIndex: Int32 = 0
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
/// The first error stops all further work (later callbacks return at once) and is thrown by the
/// loader. Errors name file, line and column, never the cell.
final class CSVLoadState {
    let file: String
    let schema: Schema
    let fileSize: Int
    let hot: UnsafeMutablePointer<CSVHotState>
    var header: [String] = []
    var columnNames: [String] = []
    var columnSpecs: [ColumnSpec] = []
    /// Per kept column: (is float column, index in its kind).
    var destinations: [(isFloat: Bool, index: Int)] = []
    var matchers: [CategoryMatcher] = []
    var floatCount = 0
    var categoryCount = 0
    var error: DataFrameError?

    init(file: String, schema: Schema, fileSize: Int) {
        self.file = file
        self.schema = schema
        self.fileSize = fileSize
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
        guard index < h.pointee.fieldCount else {
            if index == h.pointee.fieldCount {
                let s = h.pointee.owner.takeUnretainedValue()
                s.fail(.raggedRow(file: s.file, line: h.pointee.line, expected: index, found: index, orMore: true))
            }
            return
        }
        let plan = h.pointee.plans.unsafelyUnwrapped[index]
        let row = h.pointee.rows
        switch plan.kind {
        case .skip:
            return
        case .number, .integer:
            guard n > 0, let p else { return missing(h, plan, index) }
            guard var v = FieldDecoder.parseNumber(p, n) else {
                return slowFail(h, index, plan.kind == .integer ? "an integer" : "a number")
            }
            if plan.kind == .integer && !FieldDecoder.isIntegral(v) { return slowFail(h, index, "an integer") }
            if v < plan.lo || v > plan.hi {
                if !plan.clamp {
                    let s = h.pointee.owner.takeUnretainedValue()
                    return s.fail(.outOfBounds(file: s.file, line: h.pointee.line, column: s.header[index], bounds: plan.lo...plan.hi))
                }
                v = v < plan.lo ? plan.lo : plan.hi
            }
            h.pointee.floatColumns.unsafelyUnwrapped[plan.dest][row] = Float(v)
        case .boolean:
            guard n > 0, let p else { return missing(h, plan, index) }
            guard let b = FieldDecoder.parseBoolean(p, n) else { return slowFail(h, index, "a boolean (true/false)") }
            h.pointee.floatColumns.unsafelyUnwrapped[plan.dest][row] = b ? 1 : 0
        case .category:
            guard n > 0, let p else { return missing(h, plan, index) }
            let s = h.pointee.owner.takeUnretainedValue()
            guard let k = s.matchers[plan.dest].index(of: p, count: n) else {
                return s.fail(.unknownCategory(file: s.file, line: h.pointee.line, column: s.header[index],
                                               declaredCount: s.matchers[plan.dest].count))
            }
            h.pointee.categoryColumns.unsafelyUnwrapped[plan.dest][row] = k
        }
    }

    static func slowFail(_ h: UnsafeMutablePointer<CSVHotState>, _ index: Int, _ expected: String) {
        let s = h.pointee.owner.takeUnretainedValue()
        s.fail(.notANumber(file: s.file, line: h.pointee.line, column: s.header[index], expected: expected))
    }

    static func missing(_ h: UnsafeMutablePointer<CSVHotState>, _ plan: FieldPlan, _ index: Int) {
        switch plan.missing {
        case .error:
            let s = h.pointee.owner.takeUnretainedValue()
            s.fail(.missingValue(file: s.file, line: h.pointee.line, column: s.header[index]))
        case .dropRow:
            h.pointee.drop = true
        case .fill:
            if plan.kind == .category {
                h.pointee.categoryColumns.unsafelyUnwrapped[plan.dest][h.pointee.rows] = plan.fillIndex
            } else {
                h.pointee.floatColumns.unsafelyUnwrapped[plan.dest][h.pointee.rows] = plan.fillFloat
            }
        }
    }

    @inline(__always)
    static func endOfRow(_ h: UnsafeMutablePointer<CSVHotState>) {
        if h.pointee.slow {
            if h.pointee.inHeader { h.pointee.owner.takeUnretainedValue().resolveHeader() }
            return
        }
        let found = h.pointee.fieldIndex
        if found != h.pointee.fieldCount {
            if found < h.pointee.fieldCount {
                let s = h.pointee.owner.takeUnretainedValue()
                s.fail(.raggedRow(file: s.file, line: h.pointee.line, expected: h.pointee.fieldCount, found: found, orMore: false))
            }
            return
        }
        h.pointee.fieldIndex = 0
        if h.pointee.drop { h.pointee.drop = false; return }
        h.pointee.rows &+= 1
        if h.pointee.rows == h.pointee.capacity { h.pointee.owner.takeUnretainedValue().grow() }
    }

    // MARK: storage

    /// Grows every column. After the first 1024 rows the capacity is estimated from the file
    /// size (× 1.05) so that the columns are allocated once at about their final size, keeping
    /// peak memory near the Float storage itself; if the estimate is short, × 1.5.
    func grow() {
        let h = hot.pointee
        var newCapacity = h.capacity + h.capacity / 2
        if h.rows == 1024, h.dataBytesSeen > 0, fileSize > 0 {
            let estimate = Int(Double(fileSize) / (Double(h.dataBytesSeen) / Double(h.rows)) * 1.05) + 1024
            newCapacity = max(newCapacity, estimate)
        }
        for k in 0..<floatCount {
            guard let p = realloc(h.floatColumns![k], newCapacity * MemoryLayout<Float>.stride) else { fatalError("out of memory") }
            h.floatColumns![k] = p.assumingMemoryBound(to: Float.self)
        }
        for k in 0..<categoryCount {
            guard let p = realloc(h.categoryColumns![k], newCapacity * MemoryLayout<Int32>.stride) else { fatalError("out of memory") }
            h.categoryColumns![k] = p.assumingMemoryBound(to: Int32.self)
        }
        hot.pointee.capacity = newCapacity
    }

    /// Matches the header against the schema and builds one plan per CSV column.
    func resolveHeader() {
        hot.pointee.inHeader = false
        for (i, name) in header.enumerated() where name.isEmpty {
            return fail(.emptyColumnName(file: file, position: i + 1))
        }
        // A header that names none of the declared columns, or has a number as an undeclared
        // column name, is most likely a data row: refuse without echoing it.
        if !schema.columns.isEmpty && !header.contains(where: { schema.columns[$0] != nil }) {
            return fail(.missingHeader(file: file))
        }
        for name in header where schema.columns[name] == nil {
            var bytes = Array(name.utf8); let n = bytes.count; bytes.append(0)
            if bytes.withUnsafeBufferPointer({ FieldDecoder.parseNumber($0.baseAddress!, n) }) != nil {
                return fail(.missingHeader(file: file))
            }
        }
        var seen = Set<String>()
        for name in header where !seen.insert(name).inserted {
            return fail(.duplicateColumn(file: file, column: name))
        }
        for name in schema.columns.keys.sorted() where !seen.contains(name) {
            return fail(.missingColumn(file: file, column: name))
        }
        var plans: [FieldPlan] = []
        for name in header {
            guard let spec = schema.spec(for: name) else { return fail(.undeclaredColumn(file: file, column: name)) }
            var plan = FieldPlan()
            switch spec.missing {
            case .error: plan.missing = .error
            case .dropRow: plan.missing = .dropRow
            case let .fill(text):
                plan.missing = .fill
                switch FieldDecoder.decodeDeclared(text, kind: spec.kind) {
                case let .number(x)?: plan.fillFloat = x
                case let .category(k)?: plan.fillIndex = k
                case nil:
                    if spec.kind != .ignore {
                        return fail(.invalidSchema(column: name, reason: "missing-value default is not a valid \(spec.kind.typeName)"))
                    }
                }
            }
            switch spec.kind {
            case .ignore:
                plans.append(plan)
                continue
            case let .number(lo, hi), let .integer(lo, hi):
                if case .integer = spec.kind { plan.kind = .integer } else { plan.kind = .number }
                plan.lo = lo; plan.hi = hi; plan.clamp = spec.outOfBounds == .clamp
                plan.dest = floatCount; destinations.append((true, floatCount)); floatCount += 1
            case .boolean:
                plan.kind = .boolean
                plan.dest = floatCount; destinations.append((true, floatCount)); floatCount += 1
            case let .category(values):
                plan.kind = .category
                plan.dest = categoryCount; destinations.append((false, categoryCount)); categoryCount += 1
                matchers.append(CategoryMatcher(values))
            }
            plans.append(plan)
            columnNames.append(name)
            columnSpecs.append(spec)
        }
        let capacity = 1024
        let planBuffer = UnsafeMutablePointer<FieldPlan>.allocate(capacity: max(plans.count, 1))
        planBuffer.initialize(from: plans, count: plans.count)
        let floats = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(capacity: max(floatCount, 1))
        for k in 0..<floatCount { floats[k] = malloc(capacity * 4)!.assumingMemoryBound(to: Float.self) }
        let cats = UnsafeMutablePointer<UnsafeMutablePointer<Int32>>.allocate(capacity: max(categoryCount, 1))
        for k in 0..<categoryCount { cats[k] = malloc(capacity * 4)!.assumingMemoryBound(to: Int32.self) }
        hot.pointee.plans = planBuffer
        hot.pointee.floatColumns = floats
        hot.pointee.categoryColumns = cats
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
            if d.isFloat {
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
