import Foundation

// Geocoding a plain CSV into a CSV, on the bytes: the common batch job (a table of seizures or
// meetings, a place column, a CSV for Excel or QGIS) without a String or a FieldValue per cell.
// Every row's fields are copied into the output as the general path writes them (`CSVFile.values`
// read, `FeatureEncoder.encodeCSV` written), each distinct place text (with its country hint) is
// asked of the geocoder once, and its match columns are encoded once and appended to every row
// that names it. The output is byte-identical to the general path's (tests compare the two).

/// Writes a CSV field as `CSVFile.values` reads it and the CSV encoder writes it back: an
/// integer column's plain integers and a real column's plain decimals as written (a decimal's
/// trailing zeros dropped, "2.50" is "2.5"), anything else through the value, text quoted only
/// when it must be.
enum CSVFieldCopy {
    @inline(__always)
    static func append(_ f: UnsafeBufferPointer<UInt8>, type: FieldType, to out: inout [UInt8]) {
        if f.isEmpty { return }   // null: nothing
        switch type {
        case .integer64:
            if let n = CSVFile.integer(f) { NumberText.append(n, to: &out); return }
        case .real:
            switch CSVScan.plainForm(f) {
            case 1 where f.count <= 15:
                out.append(contentsOf: f); return
            case 2:
                var end = f.count
                while f[end - 1] == 48 { end -= 1 }       // a plain decimal has a point: the zeros stop there
                if f[end - 1] == 46 { end -= 1 }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: f[..<end])); return
            default:
                if let d = Double(String(decoding: f, as: UTF8.self)) {
                    if d.isFinite { FeatureEncoder.appendCSVNumber(d, dialect: .standard, to: &out) }
                    return
                }
            }
        default: break
        }
        FeatureEncoder.appendCSVText(f, separator: 44, to: &out)
    }
}

/// Distinct byte strings numbered as they are first met (a table's place texts with their
/// hints): open addressing on FNV-1a hashes, the keys kept in one arena.
struct ByteKeyTable {
    private var slots: [Int32] = Array(repeating: -1, count: 1 << 12)
    private var hashes: [UInt64] = []
    private var starts: [Int] = [0]
    private var arena: [UInt8] = []

    var count: Int { hashes.count }

    /// The key's number, and whether it is new (numbered `count - 1`).
    mutating func id(of key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (id: Int32, isNew: Bool) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = slots[s]
            if id < 0 { break }
            if hashes[Int(id)] == hash && equals(Int(id), key) { return (id, false) }
            s = (s + 1) & mask
        }
        let id = Int32(hashes.count)
        slots[s] = id
        hashes.append(hash)
        arena.append(contentsOf: key)
        starts.append(arena.count)
        if hashes.count * 2 > slots.count { grow() }
        return (id, true)
    }

    func key(_ id: Int32) -> ArraySlice<UInt8> { arena[starts[Int(id)]..<starts[Int(id) + 1]] }

    mutating func removeAll() {
        for i in slots.indices { slots[i] = -1 }
        hashes.removeAll(keepingCapacity: true); arena.removeAll(keepingCapacity: true); starts = [0]
    }

    private func equals(_ id: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = starts[id], e = starts[id + 1]
        guard e - s == key.count else { return false }
        return arena.withUnsafeBufferPointer { a in key.isEmpty || memcmp(a.baseAddress! + s, key.baseAddress!, key.count) == 0 }
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (id, h) in hashes.enumerated() {
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(id)
        }
    }
}

/// One slice of a chunk's rows, read on a worker: each row's fields as the output writes them,
/// and its question to the geocoder as key bytes (the place text; with a hint, 0xFF and the
/// hint: 0xFF never occurs in UTF-8).
struct CSVRowSlice {
    var encoded: [UInt8] = []
    var encodedEnds: [Int] = []
    var keys: [UInt8] = []
    var keyEnds: [Int] = []
    var placeLengths: [Int] = []
    var hashes: [UInt64] = []
}

/// The answers of a CSV table's geocoding by key: the answer and its match columns as CSV
/// bytes (a comma first, the line's end last). At most about `limit` are kept.
struct CSVGeocodeCache {
    let geocoder: Geocoder
    let names: NameLanguage
    /// Whether the output writes the point as the last two columns (lon, lat).
    var pointColumns: Bool { !ownLonLat }
    /// Whether `match_lon`/`match_lat` are among the answer's columns (the input had lon/lat).
    let ownLonLat: Bool
    var keys = ByteKeyTable()
    var answers: [GeocodeAnswer] = []
    /// The answers' match columns as CSV bytes, a segment per `add`, never changed once made: a
    /// chunk's lines are joined on a worker from these while the next chunk's answers go into a
    /// new segment (one growing array would be copied whole each time, being shared).
    var tails: [[UInt8]] = []
    /// Where each answer's columns are: its segment, and the range there.
    var tailRanges: [TailRange] = []
    struct TailRange { var segment: Int32; var start: Int32; var end: Int32 }
    var limit = 100_000

    init(geocoder: Geocoder, names: NameLanguage, ownLonLat: Bool) {
        self.geocoder = geocoder; self.names = names; self.ownLonLat = ownLonLat
    }

    mutating func startAfreshIfFull() {
        guard answers.count > limit else { return }
        keys.removeAll(); answers.removeAll(keepingCapacity: true); tails = []; tailRanges.removeAll(keepingCapacity: true)
    }

    /// Geocodes the new questions and encodes their answers' columns, both on every core (a
    /// segment of `tails` for each worker's share, in order).
    mutating func add(_ questions: [(String, String?)]) {
        let results = geocoder.geocode(questions)
        let n = results.count
        guard n > 0 else { return }
        let names = names, ownLonLat = ownLonLat, pointColumns = pointColumns, firstSegment = tails.count
        let share = max(256, n / (processorCount * 4)), shares = (n + share - 1) / share
        typealias Encoded = (answers: [GeocodeAnswer], segment: [UInt8], ranges: [TailRange])
        nonisolated(unsafe) let made = UnsafeMutableBufferPointer<Encoded>.allocate(capacity: shares)
        made.initialize(repeating: ([], [], []))
        defer { _ = made.deinitialize(); made.deallocate() }
        DispatchQueue.concurrentPerform(iterations: shares) { k in
            let rows = (k * share)..<min(n, (k + 1) * share)
            var e: Encoded = ([], [], [])
            e.answers.reserveCapacity(rows.count); e.ranges.reserveCapacity(rows.count); e.segment.reserveCapacity(rows.count * 64)
            for i in rows {
                let a = GeocodeAnswer(results[i], names: names, pointColumns: ownLonLat)
                e.answers.append(a)
                let start = e.segment.count
                for v in a.columns { e.segment.append(44); FeatureEncoder.appendCSVValue(v, separator: 44, dialect: .standard, to: &e.segment) }
                if pointColumns {
                    e.segment.append(44)
                    if a.status == .matched, let p = a.location {
                        FeatureEncoder.appendCSVNumber(p.lon, dialect: .standard, to: &e.segment)
                        e.segment.append(44)
                        FeatureEncoder.appendCSVNumber(p.lat, dialect: .standard, to: &e.segment)
                    } else { e.segment.append(44) }
                }
                e.segment.append(10)
                e.ranges.append(TailRange(segment: Int32(firstSegment + k), start: Int32(start), end: Int32(e.segment.count)))
            }
            made[k] = e
        }
        for k in 0..<shares {
            answers += made[k].answers
            tails.append(made[k].segment)
            tailRanges += made[k].ranges
        }
    }
}

extension CSVFile {
    /// Reads rows `start..<start + n` (on every core): each row's fields encoded as the general
    /// path writes them, and its key (the place text, then 0xFF and the country hint if any).
    /// Needs no geocoder, so the first rows are read while the gazetteer loads.
    func readRows(_ start: Int, count n: Int, place placeIndex: Int, country countryIndex: Int?, country fixed: String?) -> [CSVRowSlice] {
        let width = header.count, types = types, starts = starts, separator = separator, path = path
        let fixedHint = fixed.map { Array($0.utf8) }
        let sliceRows = max(512, n / (processorCount * 4))
        let sliceCount = (n + sliceRows - 1) / sliceRows
        nonisolated(unsafe) let slices = UnsafeMutableBufferPointer<CSVRowSlice>.allocate(capacity: sliceCount)
        slices.initialize(repeating: CSVRowSlice())
        defer { _ = slices.deinitialize(); slices.deallocate() }
        // The rows read and their fields encoded, a slice on each core.
        withBody { b in
            nonisolated(unsafe) let body = b   // read only, by every worker
            DispatchQueue.concurrentPerform(iterations: sliceCount) { s in
                var slice = CSVRowSlice()
                let rows = (start + s * sliceRows)..<min(start + n, start + (s + 1) * sliceRows)
                slice.encoded.reserveCapacity(rows.count * 48)
                slice.encodedEnds.reserveCapacity(rows.count)
                slice.keyEnds.reserveCapacity(rows.count)
                var parser = CSVTable.Parser(bytes: body, separator: separator)
                var hint: [UInt8] = []
                for i in rows {
                    parser.pos = starts[i]
                    var column = 0, placeLength = 0
                    let keyStart = slice.keys.count
                    hint.removeAll(keepingCapacity: true)
                    // (A row the scan let through reads whole; as `values`, a broken rest is left empty.)
                    _ = try? parser.nextFields(path: path) { f in
                        guard column < width else { return }
                        if column > 0 { slice.encoded.append(44) }
                        CSVFieldCopy.append(f, type: types[column], to: &slice.encoded)
                        if column == placeIndex { slice.keys.append(contentsOf: f); placeLength = f.count }
                        if column == countryIndex { hint.append(contentsOf: f) }
                        column += 1
                    }
                    while column < width { if column > 0 { slice.encoded.append(44) }; column += 1 }
                    // An empty country field: the one country given for every row, if any.
                    if countryIndex != nil && !hint.isEmpty { slice.keys.append(0xFF); slice.keys.append(contentsOf: hint) }
                    else if let fixedHint { slice.keys.append(0xFF); slice.keys.append(contentsOf: fixedHint) }
                    slice.keyEnds.append(slice.keys.count)
                    slice.placeLengths.append(placeLength)
                    slice.hashes.append(slice.keys.withUnsafeBufferPointer { Gazetteer.fnv(UnsafeBufferPointer(rebasing: $0[keyStart...])) })
                    slice.encodedEnds.append(slice.encoded.count)
                }
                slices[s] = slice
            }
        }
        return Array(slices)
    }

    /// Geocodes the rows `readRows` read into CSV lines for `stream`: each row's fields, then its
    /// answer's columns. Returns each row's answer and its place value (for the report of rows to fix).
    func geocodeRows(_ slices: [CSVRowSlice], cache: inout CSVGeocodeCache, stream: ResultStream) throws -> (answers: [GeocodeAnswer], places: [FieldValue]) {
        let n = slices.reduce(0) { $0 + $1.keyEnds.count }, sliceCount = slices.count
        // Each row's answer: a known key's, or a new question (asked together, on every core).
        cache.startAfreshIfFull()
        var ids: [Int32] = [], questions: [(String, String?)] = []
        ids.reserveCapacity(n)
        for s in 0..<sliceCount {
            let slice = slices[s]
            slice.keys.withUnsafeBufferPointer { keys in
                var keyStart = 0
                for (r, keyEnd) in slice.keyEnds.enumerated() {
                    let key = UnsafeBufferPointer(rebasing: keys[keyStart..<keyEnd])
                    let (id, isNew) = cache.keys.id(of: key, hash: slice.hashes[r])
                    if isNew {
                        // The key: the place text, then (with a hint) 0xFF and the hint.
                        let textEnd = key.startIndex + slice.placeLengths[r]
                        let text = String(decoding: UnsafeBufferPointer(rebasing: key[..<textEnd]), as: UTF8.self)
                        var hint: String? = nil
                        if textEnd < key.endIndex {
                            hint = String(decoding: UnsafeBufferPointer(rebasing: key[(textEnd + 1)...]), as: UTF8.self)
                        }
                        questions.append((text, hint))
                    }
                    ids.append(id)
                    keyStart = keyEnd
                }
            }
        }
        cache.add(questions)
        let answers = ids.map { cache.answers[Int($0)] }
        // The place values of the rows the report lists (not matched).
        var places = [FieldValue](repeating: .null, count: n)
        var row = 0
        for s in 0..<sliceCount {
            let slice = slices[s]
            var keyStart = 0
            for (r, keyEnd) in slice.keyEnds.enumerated() {
                if answers[row].status != .matched && slice.placeLengths[r] > 0 {
                    places[row] = .string(String(decoding: slice.keys[keyStart..<(keyStart + slice.placeLengths[r])], as: UTF8.self))
                }
                keyStart = keyEnd
                row += 1
            }
        }
        // The lines: each row's fields, then its answer's columns; joined on a worker, in order.
        let tails = cache.tails, tailRanges = cache.tailRanges
        var first = 0
        for s in 0..<sliceCount {
            let slice = slices[s], rowIDs = ids[first..<(first + slice.encodedEnds.count)]
            first += slice.encodedEnds.count
            try stream.appendEncoded(count: slice.encodedEnds.count) { out in
                out.reserveCapacity(slice.encoded.count + rowIDs.count * 40)
                var rowStart = 0
                for (r, id) in zip(slice.encodedEnds, rowIDs) {
                    out.append(contentsOf: slice.encoded[rowStart..<r])
                    let t = tailRanges[Int(id)]
                    out.append(contentsOf: tails[Int(t.segment)][Int(t.start)..<Int(t.end)])
                    rowStart = r
                }
            }
        }
        return (answers, places)
    }
}
