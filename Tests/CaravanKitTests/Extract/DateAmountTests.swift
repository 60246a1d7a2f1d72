import Foundation
import Testing
@testable import CaravanKit

/// Date expressions and amounts as reports write them, each form in English and Russian.
/// Expected values are the calendar read by hand from the phrase.
@Suite("extract — date expressions and amounts")
struct DateAmountTests {
    /// The first date in `text`, resolved with `year` for a year-less date: (start, end) as ISO.
    func read(_ text: String, year: Int? = nil) -> (String, String)? {
        guard let d = DateExpressions.find(in: text).first, let (a, b) = d.resolved(year: year) else { return nil }
        return (a.iso, b.iso)
    }

    @Test("English ranges, single days and months")
    func english() {
        #expect(read("from 12 to 16 September 2022 at the Faculty")! == ("2022-09-12", "2022-09-16"))
        #expect(read("On August 18-19, the event", year: 2022)! == ("2022-08-18", "2022-08-19"))
        #expect(read("On 2-3 August 2022 in CARICC")! == ("2022-08-02", "2022-08-03"))
        #expect(read("In August 2022, CARICC specialists")! == ("2022-08-01", "2022-08-31"))
        #expect(read("On September 2, 2022, students")! == ("2022-09-02", "2022-09-02"))
        #expect(read("On August 11-12, 2022, CARICC")! == ("2022-08-11", "2022-08-12"))
        #expect(read("from October 4 to November 30, 2021 and")! == ("2021-10-04", "2021-11-30"))
        #expect(read("on 30 November – 2 December 2022")! == ("2022-11-30", "2022-12-02"))
        #expect(read("on the 5th of March 2023")! == ("2023-03-05", "2023-03-05"))
        #expect(read("In February 2024")! == ("2024-02-01", "2024-02-29"))
    }

    @Test("Russian ranges, single days, months and numeric dates")
    func russian() {
        #expect(read("12–16 сентября 2022 г. в ЦАРИКЦ")! == ("2022-09-12", "2022-09-16"))
        #expect(read("с 4 октября по 30 ноября 2021 года в Баткенской области")! == ("2021-10-04", "2021-11-30"))
        #expect(read("С 4 по 6 апреля 2023 года в Душанбе")! == ("2023-04-04", "2023-04-06"))
        #expect(read("12 марта 2023 г. сотрудниками ПС ГКНБ")! == ("2023-03-12", "2023-03-12"))
        #expect(read("В сентябре 2022 года в Ташкенте")! == ("2022-09-01", "2022-09-30"))
        #expect(read("15.05.2023 в Хороге")! == ("2023-05-15", "2023-05-15"))
        #expect(read("21 февраля сотрудники СГБ", year: 2023)! == ("2023-02-21", "2023-02-21"))
        #expect(read("12.09.2022 - 16.09.2022 прошёл")! == ("2022-09-12", "2022-09-16"))
        #expect(read("with 2023-03-12 as ISO")! == ("2023-03-12", "2023-03-12"))
    }

    @Test("a year-less date stays unresolved without a year; a range across the new year starts the year before")
    func yearless() {
        #expect(read("On August 18-19, the event") == nil)
        #expect(read("from 28 December to 3 January 2023")! == ("2022-12-28", "2023-01-03"))
    }

    @Test("relative dates are found and never resolved; non-dates are not dates")
    func relative() {
        for t in ["Yesterday in Osh police seized", "Вчера в Оше изъято", "накануне в Хороге"] {
            let d = DateExpressions.find(in: t)
            #expect(d.count == 1 && d[0].isRelative, "\(t)")
            #expect(d[0].resolved(year: 2023) == nil)
        }
        for t in ["Phase 2 of the programme", "REFLEX-2021 and REFLEX-2019", "120 кг гашиша", "CADAP 7 Program", "31 February 2023", "carried out in 2017-2018"] {
            #expect(DateExpressions.find(in: t).filter { !$0.isRelative }.isEmpty, "\(t)")
        }
    }

    func amount(_ s: String) -> (Double, String)? {
        let dates = DateExpressions.find(in: s)
        return EventVocabulary.amounts(in: s, excluding: dates).first.map { ($0.value, $0.unit) }
    }

    @Test("amounts normalised to kg (g, t, тонн, кг, граммов), liquids kept in liters; a year's 'г.' is not grams")
    func amounts() {
        #expect(amount("обнаружено 120 кг гашиша")! == (120, "kg"))
        #expect(amount("изъято 2,5 кг героина")! == (2.5, "kg"))
        #expect(amount("изъято 850 граммов метамфетамина")! == (0.85, "kg"))
        #expect(amount("300 г опия")! == (0.3, "kg"))
        #expect(amount("изъято 1,2 тонны наркотиков")! == (1200, "kg"))
        #expect(amount("15 литров ангидрида уксусной кислоты")! == (15, "l"))
        #expect(amount("seized 1.5 t of hashish")! == (1500, "kg"))
        #expect(amount("seized 250 g of heroin")! == (0.25, "kg"))
        #expect(amount("seized 1 250 kg of opium")! == (1250, "kg"))
        #expect(amount("500 ml of acetic anhydride")! == (0.5, "l"))
        #expect(amount("12 марта 2023 г. на КПП") == nil)
        #expect(amount("в 2023 г сотрудники") == nil)
    }

    @Test("drugs in both languages, the one nearest after the amount")
    func drugs() {
        #expect(EventVocabulary.drug(in: "обнаружено 120 кг гашиша") == "hashish")
        #expect(EventVocabulary.drug(in: "15 литров ангидрида уксусной кислоты") == "acetic anhydride")
        #expect(EventVocabulary.drug(in: "opium and then 3 kg of heroin", after: 15) == "heroin")
        #expect(EventVocabulary.drug(in: "850 граммов метамфетамина") == "methamphetamine")
        #expect(EventVocabulary.drug(in: "the parties met in Tashkent") == nil)
    }

    @Test("kinds: assessment mission before training, meeting before visit, names of institutions are not events")
    func kinds() {
        #expect(EventVocabulary.kinds(in: "CARICC conducted an assessment mission, combined with a one-day training").first == .assessmentMission)
        #expect(EventVocabulary.kinds(in: "within the framework of the visit of the delegation to Madrid, a meeting was held").first == .meeting)
        #expect(EventVocabulary.kinds(in: "students of the Faculty of Initial Professional Training of the Almaty Academy visited CARICC") == [.visit])
        #expect(EventVocabulary.kinds(in: "a meeting was held at the DCA training center") == [.meeting])
        #expect(EventVocabulary.kinds(in: "в Душанбе прошёл семинар для сотрудников").first == .training)
        #expect(EventVocabulary.kinds(in: "Центр продолжает работу по укреплению сотрудничества").isEmpty)
    }

    @Test("agencies named, each once, in the order written")
    func agencies() {
        #expect(EventVocabulary.agencies(in: "сотрудниками ПС ГКНБ на КПП") == ["Border Service of the SCNS"])
        #expect(EventVocabulary.agencies(in: "CARICC and UNODC, with the DCA and CARICC") == ["CARICC", "UNODC", "Drug Control Agency"])
    }
}
