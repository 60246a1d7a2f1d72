import Foundation
import Testing
@testable import CaravanKit

/// The labelled set (samples/reports/eval, labelled by hand before the extractor ran on it),
/// seizures of several drugs, relative dates read against a dateline, and PDF input.
@Suite("extract — labelled set, several drugs, relative dates, PDF", .serialized)
struct ExtractEvalTests {
    static let extractor = EventExtractor()

    func events(_ text: String, name: String = "r.txt") throws -> [ExtractedEvent] {
        let dir = TempDir()
        return Self.extractor.extract(try ReportText.read(dir.write(name, text))).events
    }

    /// The place rule of Benchmarks/peers/extract_score.py: letters only, generic words dropped,
    /// equal or one a prefix (4 letters or more) of the other.
    static func norm(_ s: String) -> String {
        var t = s.lowercased().replacingOccurrences(of: "ё", with: "е")
        let generic = try! NSRegularExpression(pattern: "\\b(region|oblast|province|district|city|village|velayat|viloyati|autonomous|области|область|района|районе|район|города|город|г)\\b")
        t = generic.stringByReplacingMatches(in: t, range: NSRange(location: 0, length: (t as NSString).length), withTemplate: " ")
        return String(t.unicodeScalars.filter { ("a"..."z").contains($0) || ("а"..."я").contains($0) }.map(Character.init))
    }
    static func samePlace(_ a: String, _ b: String) -> Bool {
        let (x, y) = (norm(a), norm(b))
        guard !x.isEmpty, !y.isEmpty else { return false }
        let (s, l) = x.count <= y.count ? (x, y) : (y, x)
        return x == y || (s.count >= 4 && l.hasPrefix(s))
    }

    @Test("the labelled sets (eval: 41 events, holdout: 16): precision ≥ 0.95 and recall ≥ 0.90 of (date, place) pairs, English and Russian together",
          arguments: [("eval", 41), ("holdout", 16)])
    func labelledSet(set: String, count: Int) throws {
        let root = repositoryRoot + "/samples/reports/" + set
        let text = try String(contentsOfFile: root + "/labels.csv", encoding: .utf8)
        var labels: [(doc: String, start: String, end: String, places: [String])] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = Institutions.csvFields(String(line))
            labels.append((f[1], f[2], f[3], f[4].split(separator: "|").map(String.init)))
        }
        #expect(labels.count == count)
        var pairs: [(doc: String, start: String, end: String, places: [String])] = []
        var seen = Set<String>()
        for path in EventExtractor.files([root]) {
            let doc = String(path.dropFirst(root.count + 1))
            for e in Self.extractor.extract(try ReportText.read(path)).events {
                let names = [e.geocode.status == .matched ? e.geocode.place?.name : nil, e.placeText].compactMap { $0 }
                if seen.insert("\(doc)|\(e.start.iso)|\(e.end.iso)|\(Self.norm(names[0]))").inserted { pairs.append((doc, e.start.iso, e.end.iso, names)) }
            }
        }
        var used = Set<Int>(), right = 0, wrong: [String] = []
        for p in pairs {
            if let i = labels.indices.first(where: { i in !used.contains(i) && labels[i].doc == p.doc && labels[i].start == p.start && labels[i].end == p.end
                && labels[i].places.contains { l in p.places.contains { Self.samePlace($0, l) } } }) {
                used.insert(i); right += 1
            } else { wrong.append("\(p.doc) \(p.start)…\(p.end) \(p.places)") }
        }
        let missed = labels.indices.filter { !used.contains($0) }.map { "\(labels[$0].doc) \(labels[$0].start) \(labels[$0].places[0])" }
        let precision = Double(right) / Double(max(pairs.count, 1)), recall = Double(right) / Double(labels.count)
        #expect(precision >= 0.95, "precision \(precision); wrong: \(wrong)")
        #expect(recall >= 0.90, "recall \(recall); missed: \(missed)")
    }

    @Test("a seizure of several drugs gives one row per drug amount; '2 кг 300 г' is one amount")
    func severalDrugs() throws {
        let en = try events("On 2 July 2023 officers seized 38 kg of heroin and 112 kg of hashish from a vehicle in Panj.\n")
        #expect(en.map(\.drug) == ["heroin", "hashish"])
        #expect(en.map { $0.amount?.value } == [38, 112])
        #expect(en.allSatisfy { $0.start.iso == "2023-07-02" && $0.kind == .seizure && $0.geocode.place?.country == "TJ" && $0.evidence == en[0].evidence })
        let ru = try events("15.05.2023 в Хороге изъято 2,5 кг героина, 300 г опия и 15 литров ангидрида уксусной кислоты.\n")
        #expect(ru.map(\.drug) == ["heroin", "opium", "acetic anhydride"])
        #expect(ru.map { $0.amount?.value } == [2.5, 0.3, 15])
        #expect(ru.map { $0.amount?.unit } == ["kg", "kg", "l"])
        let compound = EventVocabulary.amounts(in: "изъято 2 кг 300 г героина", excluding: [])
        #expect(compound.count == 1 && compound.first?.value == 2.3 && compound.first?.text == "2 кг 300 г")
        // A drug named before its amount ("героина 1,1 кг") is still its drug.
        let before = EventVocabulary.seizures(in: "изъято героина 1,1 кг и гашиша 4 кг", amounts: EventVocabulary.amounts(in: "изъято героина 1,1 кг и гашиша 4 кг", excluding: []))
        #expect(before.map(\.drug) == ["heroin", "hashish"])
    }

    @Test("relative dates are read against the dateline: yesterday, today, on Monday, вчера, сегодня, the next day")
    func relativeDates() throws {
        // 17 November 2023 was a Friday: "on Monday" is the 13th.
        let en = try events("Dushanbe, 17 November 2023\n\nYesterday, border guards seized 312 kg of hashish in Khatlon province.\n\nOn Monday, 60 kg of opium was found near Shahrituz.\n")
        #expect(en.map(\.start.iso) == ["2023-11-16", "2023-11-13"])
        #expect(en.map(\.dateText) == ["Yesterday", "On Monday"])
        let ru = try events("Пресс-служба УВД Согдийской области, 5 июля 2023 г.\n\nВчера в Худжанде изъято 620 граммов героина.\n\nСегодня в Истаравшане прошло совещание.\n")
        #expect(ru.map(\.start.iso) == ["2023-07-04", "2023-07-05"])
        #expect(ru.first?.geocode.place?.country == "TJ")
        // The dateline itself is no event.
        #expect(!ru.contains { $0.placeText.contains("Согдийской") })
        let next = try events("On 4 October 2023, the working group met in Ashgabat. On the next day, the delegates visited the border post at Serhetabat.\n")
        #expect(next.map(\.start.iso) == ["2023-10-04", "2023-10-05"])
        // Without a dateline "yesterday" is not read: the sentence goes to a person.
        let dir = TempDir()
        let r = Self.extractor.extract(try ReportText.read(dir.write("n.txt", "Yesterday in Osh police seized 3 kg of hashish.\n")))
        #expect(r.events.isEmpty)
        #expect(r.review.first?.reason.contains("no dateline") == true)
    }

    @Test("several dates and several places in one sentence: each date with the place after it")
    func datesAndPlaces() throws {
        let e = try events("4 декабря 2023 года в Таразе, а 6 декабря — в Шымкенте прошли выездные семинары для сотрудников полиции.\n")
        #expect(e.map(\.start.iso) == ["2023-12-04", "2023-12-06"])
        #expect(e.map { $0.geocode.place?.name } == ["Taraz", "Shymkent"])
        #expect(e.allSatisfy { $0.kind == .training })
    }

    @Test("a PDF report (made here with Cairo and Pango) is read through pdftotext")
    func pdf() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext") else {
            Issue.record("poppler-utils' pdftotext is not installed (the Makefile installs it)"); return
        }
        let dir = TempDir()
        let path = dir.file("report.pdf")
        do {
            let c = try Canvas(format: .pdf, width: 595, height: 842, path: path)
            let font = Canvas.Font(size: 11)
            c.text("Оперативная сводка", x: 40, y: 40, font: Canvas.Font(size: 14, bold: true), colour: RGBA(0, 0, 0))
            c.text("12 марта 2023 г. на КПП «Айритом» Сурхандарьинской области обнаружено 120 кг гашиша.", x: 40, y: 80, font: font, colour: RGBA(0, 0, 0), wrap: 500)
            c.text("On 3 May 2023 a training was held in Bishkek.", x: 40, y: 140, font: font, colour: RGBA(0, 0, 0), wrap: 500)
            try c.finish()
        }
        let doc = try ReportText.read(path)
        #expect(doc.text.contains("Айритом"))
        let e = Self.extractor.extract(doc).events
        #expect(e.count == 2, "\(doc.text)")
        #expect(e.first?.start.iso == "2023-03-12" && e.first?.drug == "hashish" && e.first?.amount?.value == 120 && e.first?.geocode.place?.country == "UZ")
        #expect(e.last?.start.iso == "2023-05-03" && e.last?.kind == .training && e.last?.geocode.place?.name == "Bishkek")
    }

    @Test("streamed output: every event is written in input order, and the summary counts them all")
    func streamed() throws {
        let dir = TempDir()
        for i in 1...30 {
            _ = dir.write(String(format: "r%02d.txt", i), "On \(i % 28 + 1) March 2023 officers seized \(i) kg of heroin in Osh.\n\nRate this item\n\nOn 2 April 2023 a meeting was held in Bishkek.\n")
        }
        var o = ExtractOptions(reports: [dir.path], output: dir.file("e.csv"))
        o.overwrite = true
        let out = try extractEvents(o)
        #expect(out.figures["events"] == 60)
        let rows = try String(contentsOfFile: dir.file("e.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(rows.count == 60)
        // Input order: r01's two events first (the seizure, then the meeting), then r02's …
        let docs = rows.map { r in (1...30).first { r.contains(String(format: "r%02d.txt", $0)) } ?? 0 }
        #expect(docs == (1...30).flatMap { [$0, $0] })
        #expect(rows.first?.contains("heroin") == true && rows.dropFirst().first?.contains("meeting") == true)
        #expect(out.layers.first?.count == 60)
    }
}
