import Foundation
import Testing
@testable import CaravanKit

/// The fast paths of `caravan extract` against what they stand for: every pattern compiles, the
/// byte tests that skip a pattern never skip one that would match, the hand-made word scanner
/// finds the pattern's words, sentence spans are the text's characters.
@Suite("extract — patterns compile, byte tests and scanners agree with the patterns")
struct ExtractScanTests {
    /// Every sentence of the shipped report samples (English, Russian; text, Markdown, HTML), and
    /// some written to reach the edges (decomposed letters, long s, dashes, quotes).
    static let sentences: [String] = {
        var out: [String] = []
        let root = repositoryRoot + "/samples/reports"
        for f in EventExtractor.files([root]) {
            guard let doc = try? ReportText.read(f) else { continue }
            for item in doc.items { out += item.sentences.map(\.text) }
        }
        out += [
            "On 12\u{2013}16 September 2022 a seminar was held in Dushanbe.", "From October 4 to November 30, 2021, CARICC met in Almaty.",
            "с 4 по 6 апреля 2023 г. сотрудниками ПС ГКНБ на КПП «Айритом» изъято 2 кг 300 г героина.",
            "12.03.2023 в 10 ч. задержан гражданин", "2023-03-12: the Kyzyl-Bel checkpoint", "Вчера в Бишкеке прошло совещание.",
            "ма\u{0438}\u{0306} 2023 г.", "The ſeizure of 5 kg", "In Sept. 2022 the DCA training center hosted experts.",
            "O’Neil’s team met in Khorog-2 on Monday", "µ-test ªº 12 ʼ", "Встреча в Оше 5 мая, а 6 мая — в Джалал-Абаде.",
        ]
        return out
    }()

    @Test("every pattern of extract compiles; one that does not is a GeoError, not a crash")
    func patternsCompile() throws {
        try EventExtractor.checkPatterns()
        #expect(EventExtractor.allPatterns.count >= 16 + 7 + 2 + 14 + 16 + 8)
        for p in EventExtractor.allPatterns { _ = try p.regex() }
        let broken = CompiledPattern("(unclosed")
        #expect(throws: GeoError.self) { try broken.regex() }
        #expect(broken.matches(in: "(unclosed", range: NSRange(location: 0, length: 9)).isEmpty)
    }

    @Test("month names: the dictionary gives what EventDates gives, and every name holds a stem")
    func monthNames() {
        #expect(DateExpressions.monthNames.count >= 12 * 5)
        for (w, m) in DateExpressions.monthNames {
            if !DateExpressions.ruPrepositional.contains(w) { #expect(EventDates.month(named: w) == m, "\(w)") }
            #expect(FoldedText(w).mayHold(DateExpressions.monthStems), "\(w)")
            #expect(DateExpressions.month(w.uppercased()) == m)
        }
        #expect(DateExpressions.month("Sept.") == 9)
        #expect(DateExpressions.month("Marshal") == nil)
        #expect(DateExpressions.month("августе") == 8)
    }

    /// Whether a pattern matches anywhere in a sentence.
    func hit(_ p: CompiledPattern, _ s: String) -> Bool { p.firstMatch(in: s, range: NSRange(location: 0, length: (s as NSString).length)) != nil }

    @Test("a pattern skipped by its byte test would not have matched (kinds, drugs, agencies, anaphora, amounts)")
    func stemsCoverPatterns() {
        for s in Self.sentences {
            let f = FoldedText(s)
            for (k, p) in EventVocabulary.kinds where hit(p, s) { #expect(f.mayHold(EventVocabulary.kindStems[k]!), "\(k): \(s)") }
            for (name, p) in EventVocabulary.drugs where hit(p, s) { #expect(f.mayHold(EventVocabulary.drugStems[name]!), "\(name): \(s)") }
            for (name, p) in EventVocabulary.agencies where hit(p, s) { #expect(f.mayHold(EventVocabulary.agencyStems[name]!), "\(name): \(s)") }
            if hit(EventVocabulary.anaphora, s) { #expect(f.mayHold(EventVocabulary.anaphoraStems), "\(s)") }
            if hit(EventVocabulary.amountPattern, s) { #expect(f.mayHoldDigit, "\(s)") }
            for (n, (_, p)) in DateExpressions.patterns.enumerated() where DateExpressions.gates[n] == .relative && hit(p, s) {
                #expect(f.mayHold(DateExpressions.relativeStems), "\(s)")
            }
        }
        // Every pattern has its stems.
        for (k, _) in EventVocabulary.kinds { #expect(EventVocabulary.kindStems[k] != nil) }
        for (n, _) in EventVocabulary.drugs { #expect(EventVocabulary.drugStems[n] != nil) }
        for (n, _) in EventVocabulary.agencies { #expect(EventVocabulary.agencyStems[n] != nil) }
        #expect(DateExpressions.gates.count == DateExpressions.patterns.count)
    }

    @Test("dates and kinds found with the byte tests equal those found running every pattern")
    func gatedEqualsUngated() {
        #expect(Self.sentences.count > 200)
        var dated = 0
        for s in Self.sentences {
            let f = FoldedText(s)
            var all = f
            all.plain = false // every stem test answers yes
            let d = DateExpressions.find(in: s, f)
            #expect(d == DateExpressions.find(in: s, all), "\(s)")
            #expect(EventVocabulary.kinds(in: s, f) == EventVocabulary.kinds(in: s, all), "\(s)")
            #expect(EventVocabulary.agencies(in: s, f) == EventVocabulary.agencies(in: s, all), "\(s)")
            if !d.isEmpty { dated += 1 }
        }
        #expect(dated > 50)
        #expect(!FoldedText("The ſeizure").plain)
        #expect(!FoldedText("ма\u{0438}\u{0306}").plain)
        #expect(FoldedText("«Айритом» — 12 кг").plain)
    }

    @Test("the word scanner finds the words wordPattern finds")
    func wordsLikePattern() {
        for s in Self.sentences {
            let pattern = EventExtractor.wordPattern.matches(in: s, range: NSRange(location: 0, length: (s as NSString).length)).map(\.range)
            #expect(EventExtractor.words(of: s, FoldedText(s)) == pattern, "\(s)")
        }
        let w = EventExtractor.words(of: "O’Neil-Smith met 'em in Khorog", FoldedText("O’Neil-Smith met 'em in Khorog"))
        #expect(w.map { ("O’Neil-Smith met 'em in Khorog" as NSString).substring(with: $0) } == ["O’Neil-Smith", "met", "em", "in", "Khorog"])
    }

    @Test("sentences are spans of the text's characters (combining marks, emoji, CRLF), items split at separators")
    func sentenceSpans() {
        let text = "Caf\u{0065}\u{0301} talks in Osh on 5 May 2023. Then 🇰🇬 flags flew. «Второе» предложение идёт здесь!\nRate this item\nNext item here. ма\u{0438}\u{0306} 2023 г. встреча."
        let chars = Array(text)
        let items = ReportText.items(of: text)
        #expect(items.count == 2)
        let all = items.flatMap(\.sentences)
        #expect(all.count >= 4)
        for s in all { #expect(s.text == String(chars[s.start..<s.end]), "\(s.text)") }
        #expect(all.first?.text == "Caf\u{0065}\u{0301} talks in Osh on 5 May 2023.")
        #expect(ReportText.isSeparator("  Rate this item "))
        #expect(ReportText.isSeparator("* * *"))
        #expect(ReportText.isSeparator("Оцените материал"))
        #expect(ReportText.isSeparator("---"))
        #expect(!ReportText.isSeparator("Report"))
        #expect(!ReportText.isSeparator(""))
        #expect(!ReportText.isSeparator("r"))
    }

    @Test("the byte search finds the first occurrence from an offset, Latin and Cyrillic")
    func byteSearch() {
        let hay = Array("абв caricc в царикц, caricc".utf8)
        #expect(EventExtractor.find(Array("caricc".utf8), in: hay, from: 0) == 7)
        #expect(EventExtractor.find(Array("caricc".utf8), in: hay, from: 8) == hay.count - 6)
        #expect(EventExtractor.find(Array("царикц".utf8), in: hay, from: 0) == 17)
        #expect(EventExtractor.find(Array("бв".utf8), in: hay, from: 0) == 2)
        #expect(EventExtractor.find(Array("вг".utf8), in: hay, from: 0) == nil)
        #expect(EventExtractor.find(Array("c".utf8), in: hay, from: hay.count) == nil)
        #expect(EventExtractor.find([], in: hay, from: 0) == nil)
        #expect(EventExtractor.find(Array("x".utf8), in: [], from: 0) == nil)
    }
}
