import Foundation

/// The options of one analysis: a plain value with the same names as the command-line flags
/// (`cellArea` is `--cell-area`), decoded from a recipe step as well as from the command line,
/// validated in one place.
///
/// Input and output paths are options too (`events`, `output`), so a recipe step is nothing
/// but an options value.
public protocol AnalysisOptions: Codable, Sendable {
    /// The command and recipe step name, e.g. "hotspots".
    static var command: String { get }
    /// Every problem found before any work starts, as a `GeoError` with a hint.
    func validate() throws
    /// The files this step reads (for the manifest and for never overwriting an input).
    var inputPaths: [String] { get }
    /// The files this step writes.
    var outputPaths: [String] { get }
}

extension AnalysisOptions {
    public func validate() throws {}
}

/// A table for people: a title, column headings and rows of text (places by name, not cell ids).
public struct ResultTable: Sendable, Codable, Hashable {
    public var title: String
    public var columns: [String]
    public var rows: [[String]]
    public init(title: String, columns: [String], rows: [[String]]) {
        self.title = title; self.columns = columns; self.rows = rows
    }

    /// The table as aligned text (numbers right-aligned), for a terminal.
    public var text: String {
        var widths = columns.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func numeric(_ s: String) -> Bool { !s.isEmpty && s.allSatisfy { "0123456789.,-+%".contains($0) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: max(0, (i < widths.count ? widths[i] : c.count) - c.count))
                return numeric(c) ? pad + c : c + pad
            }.joined(separator: "  ")
        }
        return ([title, "  " + line(columns)] + rows.map { "  " + line($0) }).joined(separator: "\n")
    }
}

/// Warnings raised during one call, returned with its result (never a process-wide buffer).
/// Thread-safe: workers may add to it.
public final class WarningLog: Sendable {
    private let list = Locked<[String]>([])
    public init() {}

    /// Records a warning; an exact repeat of the previous one is dropped, and at most 1000 kept.
    public func add(_ message: String) {
        let m = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !m.isEmpty else { return }
        list.withLock { l in
            if l.last == m { return }
            if l.count < 1000 { l.append(m) }
        }
    }

    public var messages: [String] { list.withLock { $0 } }
}

/// What an analysis returns: the layers it made, the lines and tables a person reads, figures
/// for tests and the manifest, and the warnings of the call.
public struct AnalysisOutput: Sendable {
    public var layers: [ResultLayer]
    /// Lines for people, e.g. "3,000 events in 412 cells; 23 hot spots at 99 %".
    public var summary: [String]
    public var tables: [ResultTable]
    /// Named figures ("events": 3000, "hot99": 23) for tests, recipes and bulletins.
    public var figures: [String: Double]
    public var warnings: [String]
    /// Filled in by `write`: what went where.
    public var written: [WrittenOutput]

    public init(layers: [ResultLayer] = [], summary: [String] = [], tables: [ResultTable] = [],
                figures: [String: Double] = [:], warnings: [String] = [], written: [WrittenOutput] = []) {
        self.layers = layers; self.summary = summary; self.tables = tables
        self.figures = figures; self.warnings = warnings; self.written = written
    }
}

/// What a long analysis may report while it runs.
public struct AnalysisContext: Sendable {
    /// Called now and then with a short progress message ("120000 routes read").
    public var progress: @Sendable (String) -> Void
    /// Where warnings of this call go.
    public var warnings: WarningLog
    public init(progress: @escaping @Sendable (String) -> Void = { _ in }, warnings: WarningLog = WarningLog()) {
        self.progress = progress; self.warnings = warnings
    }
}
