import Foundation

/// Cell shape of an aligned grid.
public enum CellShape: String, Codable, Sendable, CaseIterable {
    case square, hex
}

/// The grid options shared by `density`, `hotspots`, `kde`, `cube` and `emerging`, with the
/// names of their flags (`--grid`, `--cell`, `--cell-area`, `--crs`, `--study-area`,
/// `--study-where`, `--max-cells`). An options value that has them conforms and gets the
/// tessellation, the CRS and the study area from one place.
public protocol GridSelection {
    var grid: CellShape { get }
    /// The side of a square, or the distance between neighbouring hexagon centres, with units.
    var cell: String? { get }
    /// The cell area instead (km2, m2, ha).
    var cellArea: String? { get }
    var crs: String? { get }
    var studyArea: String? { get }
    var studyWhere: String? { get }
    var maxCells: Int { get }
}

extension GridSelection {
    /// The tessellation, or nil when neither `cell` nor `cellArea` is given.
    public func tessellation() throws -> Tessellation? {
        if cell != nil && cellArea != nil {
            throw GeoError(.invalidArgument, "give a cell size or a cell area, not both", hint: "drop {cell} or {cellArea}")
        }
        if let a = cellArea {
            let m2 = try AreaSize.parse(a, option: "{cellArea}").squareMeters
            // Cells under 1 m² would number more than a 64-bit count holds over a country.
            guard m2 >= 1 else {
                throw GeoError(.invalidArgument, "{cellArea} '\(a)' is under 1 m²", hint: "strategic-analysis cells are km across: e.g. {cellArea} 500km2")
            }
            return grid == .square ? .square(size: m2.squareRoot()) : .hexagon(area: m2)
        }
        guard let c = cell else { return nil }
        let d = try Distance.parse(c, option: "{cell}").meters
        guard d >= 1 else {
            throw GeoError(.invalidArgument, "{cell} '\(c)' is under 1 m", hint: "strategic-analysis cells are km across: e.g. {cell} 25km")
        }
        return grid == .square ? .square(size: d) : .hexagon(side: d / 3.0.squareRoot())
    }

    /// The CRS asked for, if any: projected, in metres (feet and kilometres converted to metres,
    /// geographic and geocentric CRSs refused; CRS+Units.swift).
    public func requestedCRS() throws -> CRS? { try crs.map { try CRS($0).forMetricAnalysis() } }

    /// Problems with the combination of grid options.
    public func validateGrid() throws {
        if studyWhere != nil && studyArea == nil {
            throw GeoError(.invalidArgument, "a study-area condition without a study area", hint: "add {studyArea} LAYER, or drop {studyWhere}")
        }
        if maxCells < 1 { throw GeoError(.invalidArgument, "the cell limit must be positive", hint: "e.g. {maxCells} 10000000") }
        _ = try tessellation()
    }

    /// The union of the study-area polygons, in lon/lat; nil without a study area.
    public func studyAreaGeometry() throws -> Geometry? {
        guard let path = studyArea else { return nil }
        return try StudyArea.load(path, where: studyWhere)
    }
}

/// Polygons bounding an analysis.
public enum StudyArea {
    /// The union of the polygons of `path` (matching `condition`, OGR SQL), in lon/lat.
    public static func load(_ path: String, where condition: String? = nil) throws -> Geometry {
        let layer = try Dataset.open(path).layer(named: nil)
        if let w = condition { try layer.setAttributeFilter(w) }
        guard let crs = try layer.crs else {
            throw GeoError(.projection, "the study area has no CRS", file: path, hint: "add a .prj, or convert it with a source CRS first")
        }
        let t = try Transformer(from: crs, to: .wgs84)
        var polys: [[[XY]]] = []
        try layer.forEachGeometry { _, g in
            switch try t.transform(g) {
            case .polygon(let r): polys.append(r)
            case .multiPolygon(let p): polys += p
            default: break
            }
        }
        guard !polys.isEmpty else {
            throw GeoError(.invalidArgument, "the study area has no polygons\(condition.map { " matching \($0)" } ?? "")", file: path)
        }
        return try Geometry.multiPolygon(polys).unaryUnion()
    }
}

/// The event selection shared by every command that reads events (`hotspots`, `kde`, `count`,
/// `crossings`, `density`, `cube`, `emerging`): `--date-column`, `--from`, `--to`, `--where`.
public protocol EventSelection {
    var dateColumn: String? { get }
    /// First day included (any form `EventDates` reads).
    var from: String? { get }
    /// Last day included.
    var to: String? { get }
    /// OGR SQL condition on the events' attributes.
    var `where`: String? { get }
}

/// A period [from, to] of whole days, both included.
public struct DatePeriod: Sendable, Hashable, Codable {
    public var from: EventDate?
    public var to: EventDate?
    public init(from: EventDate?, to: EventDate?) { self.from = from; self.to = to }

    public func contains(_ d: EventDate) -> Bool {
        if let from, d.dayNumber < from.dayNumber { return false }
        if let to, d.dayNumber > to.dayNumber { return false }
        return true
    }
}

extension EventSelection {
    /// The period asked for; an unreadable bound is an error naming the flag.
    public func period() throws -> DatePeriod? {
        guard from != nil || to != nil else { return nil }
        func read(_ s: String?, _ flag: String) throws -> EventDate? {
            guard let s else { return nil }
            switch EventDates.parse(s) {
            case .success(let d): return d
            case .failure(let p): throw GeoError(.invalidArgument, "\(flag) \(p)", hint: "write it as yyyy-mm-dd, e.g. \(flag) 2023-01-01")
            }
        }
        let p = DatePeriod(from: try read(from, "{from}"), to: try read(to, "{to}"))
        if let a = p.from, let b = p.to, b < a {
            throw GeoError(.invalidArgument, "{to} \(b) is before {from} \(a)", hint: "swap them")
        }
        return p
    }

    /// The date column to use for `schema`: the one given (it must exist), or an obvious one
    /// when a period is asked for; nil when no period is asked for and none is named.
    public func resolvedDateColumn(in schema: Schema, file: String?, required: Bool = false) throws -> String? {
        if let c = dateColumn {
            guard let i = schema.index(of: c) else {
                throw GeoError(.invalidArgument, "no column '\(c)'; the columns are: \(schema.names.joined(separator: ", "))", file: file,
                               hint: "name the date column with {dateColumn}")
            }
            return schema.fields[i].name
        }
        guard required || from != nil || to != nil else { return nil }
        guard let c = EventDates.guessColumn(in: schema.names) else {
            throw GeoError(.invalidArgument, "no date column found among: \(schema.names.joined(separator: ", "))", file: file,
                           hint: "name it with {dateColumn}")
        }
        return c
    }
}

extension EventSelection {
    /// Applies `--where` to the events and resolves the date column and period into a reading
    /// (the weight and the columns to keep are the caller's). `needDates`: a date column is
    /// needed even without a period (grouping by month).
    public func reading(for events: Layer, weight: String? = nil, needDates: Bool = false) throws -> EventReading {
        if let w = `where` { try events.setAttributeFilter(w) }
        var r = EventReading(weightField: weight)
        r.period = try period()
        r.dateColumn = try resolvedDateColumn(in: events.schema, file: events.dataset.path, required: needDates)
        r.keepDates = needDates
        return r
    }
}

/// Opens the events of an analysis: the layer of `path` (or the named one), with an optional
/// source CRS.
public enum EventSource {
    public static func open(_ path: String, layer: String? = nil, sourceCRS: String? = nil, restoreShx: Bool = false) throws -> Layer {
        let options = OpenOptions(sourceCRS: try sourceCRS.map { try CRS($0) }, restoreShx: restoreShx)
        return try Dataset.open(path, options: options).layer(named: layer)
    }
}

extension GridSelection {
    /// The tessellation with sizes that must carry a unit ("25" alone is refused).
    public func tessellationRequiringUnits() throws -> Tessellation? {
        if let c = cell { _ = try Distance.parse(c, option: "{cell}", requiringUnit: true) }
        return try tessellation()
    }
}
