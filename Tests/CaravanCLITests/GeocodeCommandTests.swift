import Foundation
import Testing

/// `caravan geocode`: the quality gate, the names' language, provinces and their precision.
@Suite("caravan geocode — quality gate, names, provinces", .serialized)
struct GeocodeCommandTests {
    static let table = "id,place\n1,Tashkent\n2,Samarkand\n3,Ташкентская обл.\n4,heroin\n5,Qwertyuiop Zzz\n"

    func rows(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let head = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { l in
            Dictionary(uniqueKeysWithValues: zip(head, l.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }

    @Test("--min-matched: exit 3 when fewer rows match (the table is still written), 0 when enough do, 64 for a share outside 0…1")
    func minMatched() throws {
        let dir = TempFolder()
        let input = dir.write("p.csv", Self.table)
        let low = try caravan(["geocode", input, "--column", "place", "-o", dir.file("a.csv"), "--min-matched", "0.95"])
        #expect(low.status == 3, "\(low.stderr)")
        #expect(low.stderr.contains("5 rows: 3 matched, 0 ambiguous, 2 unmatched (60.0% matched; 2 town, 1 province)"), "\(low.stderr)")
        #expect(low.stderr.contains("fewer rows matched (60.0%) than the minimum asked for (95.0%)"))
        #expect(try rows(dir.file("a.csv")).count == 5)
        let ok = try caravan(["geocode", input, "--column", "place", "-o", dir.file("b.csv"), "--min-matched", "0.6"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let bad = try caravan(["geocode", input, "--column", "place", "-o", dir.file("c.csv"), "--min-matched", "95"])
        #expect(bad.status == 64 && bad.stderr.contains("--min-matched is a fraction from 0 to 1"))
        let help = try caravan(["geocode", "--help"]).stdout
        #expect(help.contains("Exit status: 0 done; 1 an error; 3 the table was written") && help.contains("--min-matched <min-matched>"))
    }

    @Test("--names ru and local write match_name in Russian or the country's own form; match_precision says town or province")
    func names() throws {
        let dir = TempFolder()
        let input = dir.write("p.csv", Self.table)
        #expect(try caravan(["geocode", input, "--column", "place", "-o", dir.file("ru.csv"), "--names", "ru"]).status == 0)
        let ru = try rows(dir.file("ru.csv"))
        #expect(ru[0]["match_name"] == "Ташкент" && ru[1]["match_name"] == "Самарканд" && ru[2]["match_name"] == "Ташкентская область")
        #expect(ru.map { $0["match_precision"] ?? "" } == ["town", "town", "province", "", ""])
        #expect(ru[2]["match_kind"] == "province")
        #expect(try caravan(["geocode", input, "--column", "place", "-o", dir.file("local.csv"), "--names", "local"]).status == 0)
        let local = try rows(dir.file("local.csv"))
        #expect(local[1]["match_name"] == "Samarqand" && local[2]["match_name"] == "Toshkent viloyati")
        #expect(try caravan(["geocode", input, "--column", "place", "-o", dir.file("en.csv")]).status == 0)
        #expect(try rows(dir.file("en.csv"))[2]["match_name"] == "Tashkent Region")
        #expect(try caravan(["geocode", input, "--column", "place", "-o", dir.file("x.csv"), "--names", "fr"]).status == 64)
    }

    @Test("--query: a province is the province, a town named with its province is the town")
    func provinces() throws {
        let p = try caravan(["geocode", "--query", "Almaty oblast", "--json"])
        let d = try JSONSerialization.jsonObject(with: Data(p.stdout.utf8)) as! [String: Any]
        #expect(d["kind"] as? String == "province" && d["precision"] as? String == "province" && d["name"] as? String == "Almaty Region")
        let t = try caravan(["geocode", "--query", "Жамбылская обл., Кордай", "--json", "--names", "ru"])
        let e = try JSONSerialization.jsonObject(with: Data(t.stdout.utf8)) as! [String: Any]
        #expect(e["name"] as? String == "Кордай" && e["precision"] as? String == "town")
    }
}
