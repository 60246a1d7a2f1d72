import Foundation

/// Compares extracted events with a hand-made table (`date_start`, `date_end`, `place`,
/// `country`, `kind`): which rows were found with equal dates and place, which differ, which
/// were not found, and which events the table lacks. The table's place is geocoded with the same
/// geocoder, so "Akhshabad" in the table and "Akhshabad" in the text are the same Ashgabat.
public struct EventComparison: Sendable {
    public var matched = 0, kindDiffers = 0, missing = 0, extra = 0
    public var table: ResultTable

    public static func compare(_ events: [ExtractedEvent], withTable path: String, geocoder: Geocoder) throws -> EventComparison {
        let layer = try Dataset.open(path).layer(named: nil)
        let names = layer.schema.names.map { $0.lowercased() }
        func col(_ n: String) throws -> Int {
            guard let i = names.firstIndex(of: n) else {
                throw GeoError(.invalidArgument, "the table to compare with has no '\(n)' column", file: path, hint: "columns date_start, date_end, place, country, kind")
            }
            return i
        }
        let (ds, de, pl, co, ki) = (try col("date_start"), try col("date_end"), try col("place"), try col("country"), try col("kind"))
        var used = Set<Int>()
        var rows: [[String]] = []
        var c = EventComparison(table: ResultTable(title: "", columns: [], rows: []))
        try layer.forEach { f in
            var v = f.values.map { $0.stringValue ?? "" }
            // GDAL reads ISO dates of a CSV as dates ("2022/08/22"): back to ISO.
            for k in [ds, de] { if case .success(let d)? = EventDates.parse(f.values[k]) { v[k] = d.iso } }
            let g = geocoder.geocode(v[pl], countryHint: v[co])
            let hit = events.indices.first { i in
                !used.contains(i) && events[i].start.iso == v[ds] && events[i].end.iso == v[de]
                    && (events[i].geocode.place?.country ?? "") == v[co]
                    && (events[i].geocode.place?.id == g.place?.id || events[i].placeText.caseInsensitiveCompare(v[pl]) == .orderedSame)
            }
            let when = v[ds] == v[de] ? v[ds] : "\(v[ds])…\(v[de])"
            if let i = hit {
                used.insert(i)
                if events[i].kind.rawValue == v[ki] { c.matched += 1; rows.append(["same", when, v[pl], v[ki], ""]) }
                else { c.kindDiffers += 1; rows.append(["kind differs", when, v[pl], v[ki], "extracted as \(events[i].kind.rawValue)"]) }
            } else {
                c.missing += 1
                let near = events.first { ($0.geocode.place?.country ?? "") == v[co] && $0.start.iso == v[ds] }
                rows.append(["not extracted", when, v[pl], v[ki], near.map { "nearest: \($0.placeText), \($0.end.iso)" } ?? "no sentence with this date and place"])
            }
        }
        for (i, e) in events.enumerated() where !used.contains(i) {
            c.extra += 1
            rows.append(["not in the table", e.start == e.end ? e.start.iso : "\(e.start.iso)…\(e.end.iso)", e.geocode.place?.name ?? e.placeText, e.kind.rawValue,
                         "\((e.document as NSString).lastPathComponent) item \(e.item)"])
        }
        c.table = ResultTable(title: "Compared with \(path): \(c.matched) same, \(c.kindDiffers) kind differs, \(c.missing) not extracted, \(c.extra) not in the table",
                              columns: ["result", "date", "place", "kind", "note"], rows: rows)
        return c
    }
}
