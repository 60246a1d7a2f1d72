import Foundation
import Testing

/// `caravan extract`: the shipped reports to a table, the review report, --compare, usage errors.
@Suite("caravan extract — reports to events", .serialized)
struct ExtractCommandTests {
    func csv(_ path: String) throws -> [[String: String]] {
        // Minimal CSV reader (quoted fields with commas and doubled quotes).
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var rows: [[String]] = [], row: [String] = [], cur = "", quoted = false
        var it = text.makeIterator(), pending: Character? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" { if let n = it.next() { if n == "\"" { cur.append("\"") } else { quoted = false; pending = n } } else { quoted = false } }
                else { cur.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { row.append(cur); cur = "" }
            else if c == "\n" || c == "\r\n" { row.append(cur); rows.append(row); row = []; cur = "" }
            else { cur.append(c) }
        }
        if !cur.isEmpty || !row.isEmpty { row.append(cur); rows.append(row) }
        let head = rows[0]
        return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(head, $0)) }
    }

    @Test("the news page: 9 events placed, the columns of the issue, the review report, the comparison printed")
    func newsPage() throws {
        let dir = TempFolder()
        let r = try caravan(["extract", "samples/reports/caricc-news-2022.txt", "-o", dir.file("e.csv"), "--report", dir.file("r.csv"),
                             "--compare", "samples/events/caricc-2022.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("9 same, 0 kind differs, 1 not extracted, 0 not in the table"), "\(r.stdout)")
        let rows = try csv(dir.file("e.csv"))
        #expect(rows.count == 9)
        for c in ["date_start", "date_end", "date_text", "place_text", "match_status", "match_name", "match_country", "lon", "lat", "match_score",
                  "match_precision", "kind", "drug", "amount", "unit", "agency", "evidence", "document", "item", "offset_start", "offset_end", "confidence"] {
            #expect(rows.first?[c] != nil, "column \(c)")
        }
        let dushanbe = rows.first { $0["date_start"] == "2022-08-22" && $0["date_end"] == "2022-08-23" }
        #expect(dushanbe?["match_name"] == "Dushanbe" && dushanbe?["kind"] == "assessment mission" && dushanbe?["date_text"] == "August 22-23")
        #expect(Double(dushanbe?["lon"] ?? "") ?? 0 > 68 && Double(dushanbe?["lon"] ?? "") ?? 0 < 69.5)
        let review = try csv(dir.file("r.csv"))
        #expect(review.contains { $0["reason"] == "a date but no place" && ($0["date_text"] ?? "").contains("October 4 to November 30, 2021") })
    }

    @Test("the Russian set with --lang ru: seizures in kg and l, names in Russian, a GeoPackage written")
    func russian() throws {
        let dir = TempFolder()
        let r = try caravan(["extract", "samples/reports/ru", "-o", dir.file("e.csv"), "--lang", "ru"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try csv(dir.file("e.csv"))
        // 02-khorog.md: "изъято 2,5 кг героина и 300 г опия" is two rows, one per drug.
        #expect(rows.count == 9, "\(rows.map { $0["evidence"] ?? "" })")
        #expect(rows.filter { ($0["evidence"] ?? "").contains("2,5 кг героина и 300 г опия") }.map { "\($0["drug"] ?? "") \(Double($0["amount"] ?? "") ?? -1)" }.sorted()
                == ["heroin 2.5", "opium 0.3"])
        #expect(rows.contains { $0["kind"] == "seizure" && $0["drug"] == "hashish" && $0["amount"].flatMap(Double.init) == 120 && $0["unit"] == "kg" })
        #expect(rows.contains { $0["drug"] == "acetic anhydride" && $0["unit"] == "l" })
        #expect(rows.contains { $0["match_name"] == "Душанбе" })
        let g = try caravan(["extract", "samples/reports/ru/01-airitom.txt", "-o", dir.file("e.gpkg")])
        #expect(g.status == 0 && FileManager.default.fileExists(atPath: dir.file("e.gpkg")), "\(g.stderr)")
    }

    @Test("usage and input errors: no report (64), a missing report (1, naming it)")
    func errors() throws {
        let dir = TempFolder()
        #expect(try caravan(["extract", "-o", dir.file("e.csv")]).status == 64)
        let missing = try caravan(["extract", "nowhere.txt", "-o", dir.file("e.csv")])
        #expect(missing.status == 1 && missing.stderr.contains("nowhere.txt"), "\(missing.stderr)")
        #expect(try caravan(["extract", "--help"]).stdout.contains("caravan extract samples/reports/caricc-news-2022.txt"))
    }
}
