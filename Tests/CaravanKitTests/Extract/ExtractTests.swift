import Foundation
import Testing
@testable import CaravanKit

/// `extractEvents` on the shipped reports: the CARICC news page against the hand-made table,
/// the Russian field-report set against the values read by hand, negatives, text cleaning.
@Suite("extract — reports to events", .serialized)
struct ExtractTests {
    static let extractor = EventExtractor()
    static let reports = repositoryRoot + "/samples/reports"

    func events(_ file: String) throws -> [ExtractedEvent] {
        Self.extractor.extract(try ReportText.read(file)).events
    }

    @Test("the CARICC news page: every dated event of samples/events/caricc-2022.csv found with equal dates, place and kind; the one without a date in the text goes to review")
    func newsPage() throws {
        let evs = try events(Self.reports + "/caricc-news-2022.txt")
        let c = try EventComparison.compare(evs, withTable: repositoryRoot + "/samples/events/caricc-2022.csv", geocoder: Self.extractor.geocoder)
        #expect(c.matched == 9, "\(c.table.text)")
        #expect(c.kindDiffers == 0 && c.extra == 0, "\(c.table.text)")
        // The CITCO meeting: "within the framework of the visit of the CARICC delegation to Madrid, a meeting was held" — no date in the text.
        #expect(c.missing == 1)
        let review = Self.extractor.extract(try ReportText.read(Self.reports + "/caricc-news-2022.txt")).review
        #expect(review.contains { $0.evidence.contains("CITCO") && $0.placeText == "Madrid" && $0.reason.contains("no date") })
        // Every row points to its evidence: the offsets cut the sentence out of the cleaned text.
        let text = Array(try ReportText.read(Self.reports + "/caricc-news-2022.txt").text)
        for e in evs { #expect(String(text[e.offsetStart..<e.offsetEnd]) == e.evidence) }
        // Institutions named without a city.
        #expect(evs.contains { $0.placeText.hasPrefix("DCA training center") && $0.geocode.place?.name == "Dushanbe" && $0.placeSource == "institution" })
        #expect(evs.contains { $0.placeText == "CARICC" && $0.geocode.place?.name == "Almaty" })
        #expect(evs.contains { $0.placeText == "Akhshabad" && $0.geocode.place?.country == "TM" })
    }

    @Test("the Russian field-report set: dates, places, kinds, drugs and amounts as read by hand")
    func russianSet() throws {
        let ru = Self.reports + "/ru"
        let a = try events(ru + "/01-airitom.txt")
        #expect(a.count == 1)
        #expect(a.first?.start.iso == "2023-03-12" && a.first?.kind == .seizure && a.first?.drug == "hashish")
        #expect(a.first?.amount?.value == 120 && a.first?.amount?.unit == "kg")
        #expect(a.first?.geocode.place?.country == "UZ" && a.first?.placeText == "Айритом")
        #expect(a.first?.agencies == ["Border Service of the SCNS"])

        let k = try events(ru + "/02-khorog.md")
        // "изъято 2,5 кг героина и 300 г опия": one row per drug amount.
        #expect(k.map { $0.start.iso } == ["2023-05-15", "2023-05-15", "2023-04-04"])
        #expect(k.map { $0.drug } == ["heroin", "opium", nil] && k.map { $0.amount?.value } == [2.5, 0.3, nil])
        #expect(k.first?.geocode.place?.country == "TJ" && k.first?.drug == "heroin" && k.first?.amount?.value == 2.5)
        #expect(k.last?.end.iso == "2023-04-06" && k.last?.kind == .training && k.last?.geocode.place?.name == "Dushanbe")

        let o = try events(ru + "/03-osh.html")
        // "Вчера в Оше …" is relative: not an event, sent to review.
        #expect(o.count == 1)
        #expect(o.first?.start.iso == "2021-10-04" && o.first?.end.iso == "2021-11-30" && o.first?.kind == .operation)
        #expect(o.first?.geocode.precision == .province && o.first?.geocode.place?.country == "KG")
        let review = Self.extractor.extract(try ReportText.read(ru + "/03-osh.html")).review
        #expect(review.contains { $0.dateText == "Вчера" && $0.reason.contains("relative") })

        let c = try events(ru + "/04-caricc.txt")
        #expect(c.count == 2)
        #expect(c.first?.start.iso == "2022-09-12" && c.first?.end.iso == "2022-09-16" && c.first?.kind == .meeting && c.first?.geocode.place?.name == "Almaty")
        #expect(c.last?.start.iso == "2022-09-01" && c.last?.end.iso == "2022-09-30" && c.last?.kind == .training && c.last?.geocode.place?.name == "Tashkent")

        let t = try events(ru + "/05-termez.txt")
        #expect(t.count == 2)
        #expect(t.first?.drug == "acetic anhydride" && t.first?.amount?.value == 15 && t.first?.amount?.unit == "l")
        // "21 февраля" takes the year of the earlier date in the document (2023).
        #expect(t.last?.start.iso == "2023-02-21" && t.last?.drug == "methamphetamine" && t.last?.amount?.value == 0.85)
        #expect(t.allSatisfy { $0.geocode.place?.country == "UZ" })
    }

    @Test("negatives: a page with no event yields none; dates without places and places without dates go to review")
    func negatives() throws {
        #expect(try events(Self.reports + "/ru/06-none.txt").isEmpty)
        let dir = TempDir()
        let p = dir.write("n.txt", "On 12 March 2023 the parties exchanged views.\n\nThe delegation arrived in Tashkent.\n\nThe weather was fine.\n")
        let r = Self.extractor.extract(try ReportText.read(p))
        #expect(r.events.isEmpty)
        #expect(r.review.map(\.reason) == ["a date but no place", "a place but no event or date"])
    }

    @Test("a later date inside a sentence's first date refines it: 'In June 2025 … on 9 June 2025' is 9 June; one outside it does not")
    func refinedDate() throws {
        #expect(EventExtractor.refinedDay([(100, 129), (108, 108)]) == 1)
        #expect(EventExtractor.refinedDay([(100, 129), (110, 115), (112, 112)]) == 2)
        #expect(EventExtractor.refinedDay([(100, 100), (90, 129)]) == 0)      // a wider later date
        #expect(EventExtractor.refinedDay([(100, 129), (140, 140)]) == 0)     // outside the first
        #expect(EventExtractor.refinedDay([(100, 100), (100, 100)]) == 0)     // the same day
        let dir = TempDir()
        let p = dir.write("june.txt", "In June 2025, border units near Shurobod intercepted several consignments; the largest, 34 kg of heroin, was taken on 9 June 2025.\n")
        let r = Self.extractor.extract(try ReportText.read(p))
        #expect(r.events.map { "\($0.start.iso) \($0.end.iso)" } == ["2025-06-09 2025-06-09"])
    }

    @Test("text cleaning: HTML tags and entities, Markdown marks; items split at 'Rate this item', headings and datelines")
    func cleaning() {
        let h = ReportText.html("<html><body><script>var x=1;</script><h2>Title</h2><p>3&nbsp;кг &laquo;Мак&raquo; &#1058; &amp; <b>bold</b></p></body></html>")
        #expect(h == "# Title\n\n3 кг «Мак» Т & bold")
        #expect(ReportText.markdown("## Head\n**Bold** and [a link](http://x)") == "# Head\nBold and a link")
        let items = ReportText.items(of: "Rate this item\n(0 votes)\n\nFirst one. Second one.\n\nRate this item\n\nThird.\n# Heading\nFourth\n12.03.2023\nFifth")
        #expect(items.count == 4)
        #expect(items[0].sentences.map(\.text) == ["(0 votes)", "First one.", "Second one."])
        #expect(items.map { $0.sentences.count } == [3, 1, 2, 2])
        // Initials do not end a sentence.
        #expect(ReportText.items(of: "Director R. Miralizoda met M. Esbulatov. Then they left.")[0].sentences.count == 2)
    }

    @Test("--extra institutions: a user's institution places an event at its city")
    func extraInstitutions() throws {
        let dir = TempDir()
        let csv = dir.write("inst.csv", "name,city,country\nKhorog Regional Office,Khorog,TJ\n")
        let rep = dir.write("r.txt", "On 3 May 2023 a training was held at the Khorog Regional Office.\n")
        var o = ExtractOptions(reports: [rep], output: dir.file("e.csv"))
        o.extra = [csv]
        let out = try extractEvents(o)
        #expect(out.figures["events"] == 1 && out.figures["located"] == 1)
        let text = try String(contentsOfFile: dir.file("e.csv"), encoding: .utf8)
        #expect(text.contains("Khorog Regional Office") && text.contains("training") && text.contains("2023-05-03"))
        #expect(throws: GeoError.self) { try Institutions.read(dir.write("bad.csv", "title,town\nx,y\n")) }
    }
}
