import Foundation
import Testing
@testable import CaravanKit

@Suite("Event dates as tables write them")
struct EventDatesTests {
    func date(_ s: String, _ order: DayOrder = .auto) -> String? {
        if case .success(let d) = EventDates.parse(s, order: order) { return d.iso }
        return nil
    }

    @Test("ISO, GDAL's slashes, dotted day-first and text months in English and Russian")
    func forms() {
        #expect(date("2023-03-12") == "2023-03-12")
        #expect(date("2023/03/12") == "2023-03-12")
        #expect(date("2023-03-12T10:30") == "2023-03-12T10:30:00")
        #expect(date("2023-03-12 10:30:05") == "2023-03-12T10:30:05")
        #expect(date("12.03.2023") == "2023-03-12")
        #expect(date("12 March 2023") == "2023-03-12")
        #expect(date("March 12, 2023") == "2023-03-12")
        #expect(date("12-Mar-2023") == "2023-03-12")
        #expect(date("12 марта 2023 г.") == "2023-03-12")
        #expect(date("1 сентября 2022 года") == "2022-09-01")
    }

    @Test("Excel serial days: 44997 is 2023-03-12 (Python: date(1899,12,30) + 44997 days); 61 is 1900-03-01")
    func excel() {
        #expect(date("44997") == "2023-03-12")
        if case .success(let d) = EventDates.parse(FieldValue.real(44997.5)) { #expect(d.iso == "2023-03-12T12:00:00") } else { Issue.record("no date") }
        if case .success(let d) = EventDates.parse(FieldValue.integer(61)) { #expect(d.iso == "1900-03-01") } else { Issue.record("no date") }
        if case .failure = EventDates.parse(FieldValue.integer(12)) {} else { Issue.record("12 is not a date") }
    }

    @Test("slashes: unambiguous orders are read, ambiguous ones need the day order")
    func slashes() {
        #expect(date("25/03/2023") == "2023-03-25")
        #expect(date("03/25/2023") == "2023-03-25")
        #expect(date("03/04/2023") == nil)
        #expect(date("03/04/2023", .dayFirst) == "2023-04-03")
        #expect(date("03/04/2023", .monthFirst) == "2023-03-04")
    }

    @Test("impossible dates and non-dates are problems, with the reason")
    func problems() {
        #expect(date("2023-02-29") == nil)
        #expect(date("2024-02-29") == "2024-02-29")
        #expect(date("31.04.2023") == nil)
        #expect(date("12.03.23") == nil)
        #expect(date("yesterday") == nil)
        if case .failure(let p) = EventDates.parse("12.03.23") { #expect(p.reason.contains("two-digit")) }
    }

    @Test("day numbers and months: 1970-01-01 is day 0, month arithmetic clamps to the month's end")
    func arithmetic() {
        #expect(EventDate(year: 1970, month: 1, day: 1).dayNumber == 0)
        #expect(EventDate(year: 2000, month: 3, day: 1).dayNumber == 11_017)
        #expect(EventDate(dayNumber: 19_428).iso == "2023-03-12")
        #expect(EventDate(year: 2023, month: 3, day: 31).addingMonths(-1).iso == "2023-02-28")
        #expect(EventDate(year: 2023, month: 1, day: 31).addingMonths(13).iso == "2024-02-29")
        #expect(EventDate(year: 2023, month: 1, day: 15).addingMonths(-13).iso == "2021-12-15")
    }

    @Test("the period check: --to before --from is refused, bounds include whole days")
    func period() throws {
        struct S: EventSelection { var dateColumn: String? = nil; var from: String?; var to: String?; var `where`: String? = nil }
        let p = try #require(try S(from: "2023-01-01", to: "31.01.2023").period())
        #expect(p.contains(EventDate(year: 2023, month: 1, day: 31, seconds: 86_000)))
        #expect(!p.contains(EventDate(year: 2023, month: 2, day: 1)))
        #expect(throws: GeoError.self) { try S(from: "2023-02-01", to: "2023-01-01").period() }
        let schema = Schema([FieldDefinition("id", .string), FieldDefinition("Date", .string)])
        #expect(try S(from: "2023-01-01", to: nil).resolvedDateColumn(in: schema, file: nil) == "Date")
        #expect(try S(from: nil, to: nil).resolvedDateColumn(in: schema, file: nil) == nil)
    }
}

@Suite("Sizes people type")
struct SizeParsingTests {
    struct G: GridSelection {
        var grid: CellShape = .square
        var cell: String?
        var cellArea: String? = nil
        var crs: String? = nil
        var studyArea: String? = nil
        var studyWhere: String? = nil
        var maxCells = 10_000_000
    }

    @Test("hexadecimal, infinite and signed numbers are not distances (Swift's Double reads 0x10 as 16)")
    func strictNumbers() throws {
        for bad in ["0x10km", "infkm", "nanm", "-5km", "+5km", "1e", "km", "1.2.3km", "0x1p4m"] {
            #expect(throws: GeoError.self, "\(bad)") { try Distance.parse(bad) }
        }
        #expect(throws: GeoError.self) { try AreaSize.parse("0x10km2") }
        #expect(try Distance.parse("2.5km").meters == 2500)
        #expect(try Distance.parse(".5km").meters == 500)
        #expect(try Distance.parse("1e3m").meters == 1000)
        #expect(try AreaSize.parse("500km2").squareMeters == 5e8)
    }

    @Test("cells under 1 m are refused before any grid is sized (1e-10 m crashed, 1e-13 m hung)")
    func tinyCells() throws {
        for c in ["1e-10m", "1e-13m", "0.5m"] {
            #expect(throws: GeoError.self, "\(c)") { try G(cell: c).tessellation() }
            #expect(throws: GeoError.self, "\(c)") { try G(grid: .hex, cell: c).tessellation() }
        }
        #expect(throws: GeoError.self) { try G(cell: nil, cellArea: "0.5m2").tessellation() }
        #expect(try G(cell: "1m").tessellation() != nil)
    }
}
