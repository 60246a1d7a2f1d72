import Foundation

/// `caravan cube`: events counted per location and time step (Create Space Time Cube By
/// Aggregating Points).
public struct CubeOptions: AnalysisOptions, GridSelection, EventSelection, Hashable {
    public static let command = "cube"
    public var events: String
    public var layer: String?
    /// `--s-srs`: the events' CRS when the source lacks it.
    public var sSrs: String?
    public var grid: CellShape = .square
    public var cell: String?
    public var cellArea: String?
    public var crs: String?
    public var studyArea: String?
    public var studyWhere: String?
    public var maxCells: Int = 10_000_000
    /// `1month`, `30days`, `2weeks`, `1year`…
    public var step: String = "1month"
    public var dateColumn: String?
    public var from: String?
    public var to: String?
    public var `where`: String?
    public var weight: String?
    /// `.nc` (netCDF) or any vector format (a long table: one row per bin).
    public var output: String?
    public var overwrite = false

    public init(events: String, cell: String? = nil, step: String = "1month", output: String? = nil) {
        self.events = events; self.cell = cell; self.step = step; self.output = output
    }

    public func validate() throws {
        try validateGrid()
        guard try tessellation() != nil else {
            throw GeoError(.invalidArgument, "no cell size", hint: "give {cell} 25km (or {cellArea} 500km2)")
        }
        _ = try TimeStep.parse(step)
        _ = try period()
    }
    public var inputPaths: [String] { [events] + (studyArea.map { [$0] } ?? []) }
    public var outputPaths: [String] { output.map { [$0] } ?? [] }
}

/// `caravan emerging`: Emerging Hot Spot Analysis of events or of a cube.
public struct EmergingOptions: AnalysisOptions, GridSelection, EventSelection, Hashable {
    public static let command = "emerging"
    /// Events, or a cube written by `caravan cube` (`.nc`).
    public var events: String
    public var layer: String?
    public var sSrs: String?
    public var grid: CellShape = .square
    public var cell: String?
    public var cellArea: String?
    public var crs: String?
    public var studyArea: String?
    public var studyWhere: String?
    public var maxCells: Int = 10_000_000
    public var step: String = "1month"
    /// Neighbourhood distance (ArcGIS's Neighborhood Distance).
    public var band: String?
    /// Previous steps in the neighbourhood (ArcGIS's Neighborhood Time Step).
    public var timeWindow: Int = 1
    public var dateColumn: String?
    public var from: String?
    public var to: String?
    public var `where`: String?
    public var weight: String?
    public var output: String?
    /// Every bin's GiZScore, GiPValue, Gi_Bin (netCDF for `.nc`: the cube with them beside it).
    public var bins: String?
    /// `year`: the yearly hot spots as well (one polygon per location and year, drawn as small multiples).
    public var by: String?
    public var overwrite = false

    public init(events: String, cell: String? = nil, step: String = "1month", band: String? = nil, output: String? = nil) {
        self.events = events; self.cell = cell; self.step = step; self.band = band; self.output = output
    }

    public var readsCube: Bool { (events as NSString).pathExtension.lowercased() == "nc" }

    public func validate() throws {
        guard let b = band else {
            throw GeoError(.invalidArgument, "no neighbourhood distance", hint: "give {band}, e.g. {band} 75km (three 25 km cells)")
        }
        _ = try Distance.parse(b, option: "{band}")
        if let by, by.lowercased() != "year" {
            throw GeoError(.invalidArgument, "{by} \(by): emerging makes small multiples by year only", hint: "use {by} year, or 'caravan render {by} FIELD' on the output")
        }
        if timeWindow < 0 { throw GeoError(.invalidArgument, "{timeWindow} must be 0 or more", hint: "1 (the default) takes the previous step too") }
        if !readsCube {
            try validateGrid()
            guard try tessellation() != nil else {
                throw GeoError(.invalidArgument, "no cell size", hint: "give {cell} 25km (or {cellArea} 500km2), or a cube made by 'caravan cube'")
            }
            _ = try TimeStep.parse(step)
            _ = try period()
        }
    }
    public var inputPaths: [String] { [events] + (studyArea.map { [$0] } ?? []) }
    public var outputPaths: [String] { [output, bins].compactMap { $0 } }
}

/// A cube and what a person reads about it.
public struct CubeAnalysis: Sendable {
    public var cube: SpaceTimeCube
    public var output: AnalysisOutput
}

/// Builds a space-time cube from events (ANALYSIS.md §7): cells of the aligned grid, END_TIME
/// time steps. The output's layer is the long table (one row per bin); write it with
/// `writeCube` (netCDF for `.nc`).
public func createSpaceTimeCube(_ o: CubeOptions, context: AnalysisContext = AnalysisContext()) throws -> CubeAnalysis {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try o.validate()
    PlaceNames.loadInBackground()
    context.progress("reading the events")
    let cube = try buildCube(events: o.events, layer: o.layer, sourceCRS: o.sSrs, selection: o, grid: o, step: try TimeStep.parse(o.step),
                             weight: o.weight, warnings: context.warnings, progress: context.progress)
    var out = AnalysisOutput(layers: [cubeLayer(cube)])
    describe(cube, into: &out)
    let trends = cube.countTrends()
    let up = trends.filter { $0.bin > 0 }.count, down = trends.filter { $0.bin < 0 }.count
    let overall = cube.overallTrend()
    out.summary.append("count trends (Mann–Kendall, 90 %): \(up) locations increasing, \(down) decreasing, \(cube.locations.count - up - down) without a significant trend")
    out.summary.append(String(format: "overall trend of the counts per step: %@ (z = %.2f, p = %.4f)",
                              overall.bin > 0 ? "increasing" : overall.bin < 0 ? "decreasing" : "no significant trend", overall.z, overall.p))
    out.figures["trendUp"] = Double(up); out.figures["trendDown"] = Double(down)
    out.figures["overallTrendZ"] = overall.z; out.figures["overallTrendP"] = overall.p
    out.tables.append(placesTable("Locations with the strongest increasing counts", cube: cube,
                                  order: cube.locations.indices.filter { trends[$0].bin > 0 }.sorted { trends[$0].z > trends[$1].z },
                                  columns: ["events", "trend z", "trend p"]) { i in
        let T = cube.stepCount
        return [String(Int(cube.counts[(i * T)..<((i + 1) * T)].reduce(0, +))), String(format: "%.2f", trends[i].z), String(format: "%.4f", trends[i].p)]
    })
    out.warnings = context.warnings.messages
    return CubeAnalysis(cube: cube, output: out)
}

/// Writes a cube: netCDF for `.nc`, else the long table through `ResultWriter`.
@discardableResult
public func writeCube(_ a: CubeAnalysis, to path: String, options: WriteOptions = WriteOptions()) throws -> WrittenOutput {
    if (path as NSString).pathExtension.lowercased() == "nc" {
        try NetCDFCube.write(a.cube, to: path, overwrite: options.overwrite, inputs: options.inputs)
        return WrittenOutput(path: path, driver: "netCDF", features: a.cube.binCount)
    }
    return try ResultWriter.write(cubeLayer(a.cube), to: path, options: options)
}

func buildCube(events: String, layer: String?, sourceCRS: String?, selection: some EventSelection, grid: some GridSelection,
               step: TimeStep, weight: String?, warnings: WarningLog, progress: ((String) -> Void)? = nil) throws -> SpaceTimeCube {
    let tess = try grid.tessellation()!
    let area = try grid.studyAreaGeometry()
    let e = try readTimedEvents(path: events, layerName: layer, sourceCRS: sourceCRS, selection: selection, weightField: weight,
                                tessellation: tess, requestedCRS: try grid.requestedCRS(), studyArea: area, maxCells: grid.maxCells, warnings: warnings,
                                step: step, progress: progress)
    if e.outsideStudyArea > 0 { warnings.add("\(e.outsideStudyArea) events fall outside the study area and were left out") }
    guard e.cube != nil || !e.times.isEmpty else {
        throw GeoError(.invalidArgument, "there are no events inside the study area", file: events, hint: "check {studyArea} and {studyWhere}")
    }
    let cube = try e.cube ?? SpaceTimeCube.aggregate(cells: e.cells, times: e.times, weights: e.weights, step: step, tessellation: tess,
                                                     crs: e.crs, studyCells: e.studyCells, weightField: weight)
    try checkSteps(cube, file: events)
    if cube.temporalBias > 0.5 {
        warnings.add(String(format: "the first step (%@) is %.0f %% before the first event: its counts are low because of the alignment (ArcGIS's temporal bias)",
                            cube.steps.label(0), cube.temporalBias * 100))
    }
    return cube
}

func checkSteps(_ cube: SpaceTimeCube, file: String) throws {
    if cube.stepCount < 2 {
        let span = cube.lastTime - cube.firstTime
        throw GeoError(.invalidArgument, cube.firstTime == cube.lastTime
                       ? "every event has the same time (\(TimeSteps.date(cube.firstTime))): a cube needs at least two time steps"
                       : "the events span \(span / 86_400) days, less than one step of \(cube.steps.step): a cube needs at least two time steps",
                       file: file, hint: "use a shorter {step}")
    }
}

func describe(_ cube: SpaceTimeCube, into out: inout AnalysisOutput) {
    let first = TimeSteps.date(cube.firstTime), last = TimeSteps.date(cube.lastTime)
    out.summary.append("\(cube.events.formatted()) events from \(first.iso) to \(last.iso) in \(cube.locations.count.formatted()) locations × \(cube.stepCount) steps of \(cube.steps.step) = \(cube.binCount.formatted()) bins")
    out.summary.append("steps end at the last event (END_TIME): first \(cube.steps.label(0)), last \(cube.steps.label(cube.stepCount - 1)); each step excludes its start and includes its end")
    let zeros = cube.counts.filter { $0 == 0 }.count
    out.summary.append(String(format: "%d of %d bins (%.0f %%) hold no event; temporal bias of the first step %.0f %%",
                              zeros, cube.binCount, 100 * Double(zeros) / Double(max(1, cube.binCount)), cube.temporalBias * 100))
    out.figures["events"] = Double(cube.events); out.figures["locations"] = Double(cube.locations.count)
    out.figures["steps"] = Double(cube.stepCount); out.figures["bins"] = Double(cube.binCount)
    out.figures["zeroBins"] = Double(zeros); out.figures["temporalBias"] = cube.temporalBias
}

/// The long table of a cube: one point (the cell centre) per bin.
func cubeLayer(_ cube: SpaceTimeCube) -> ResultLayer {
    let T = cube.stepCount
    var fields = [ResultField("LOCATION", .integer, role: .identifier, meaning: "location number (ArcGIS LOCATION)"),
                  ResultField("col", .integer, role: .gridIndex, meaning: "column of the cell in the aligned grid"),
                  ResultField("row", .integer, role: .gridIndex, meaning: "row of the cell in the aligned grid"),
                  ResultField("TIME_STEP", .integer, role: .identifier, meaning: "time step number, 0 = first"),
                  ResultField("time_start", .string, role: .date, meaning: "start of the step (excluded)"),
                  ResultField("time_end", .string, role: .date, meaning: "end of the step (included)"),
                  ResultField("count", .integer, role: .count, meaning: "events in the bin")]
    if cube.sums != nil { fields.append(ResultField("sum", .real, role: .sum, meaning: "sum of \(cube.weightField ?? "the weight") in the bin")) }
    let labels = (0..<T).map { cube.steps.bounds($0) }.map { ($0.start.iso, $0.end.iso) }
    let tess = cube.tessellation, locations = cube.locations, counts = cube.counts, sums = cube.sums
    return ResultLayer(name: "cube", kind: .cube, title: "Space-time cube (steps of \(cube.steps.step))", crs: cube.crs, geometryType: .point,
                       fields: fields, count: cube.binCount,
                       geometry: { k in .point(tess.center(locations[k / T])) },
                       values: { k in
                           let i = k / T, t = k % T, c = locations[i]
                           var v: [FieldValue] = [.integer(Int64(i)), .integer(Int64(c.col)), .integer(Int64(c.row)), .integer(Int64(t)),
                                                  .string(labels[t].0), .string(labels[t].1), .integer(Int64(counts[k]))]
                           if let sums { v.append(.real(sums[k])) }
                           return v
                       },
                       centre: { k in tess.center(locations[k / T]) },
                       metadata: ["step": cube.steps.step.description])
}

/// A table of locations named by the nearest town.
func placesTable(_ title: String, cube: SpaceTimeCube, order: [Int], limit: Int = 5, columns: [String],
                 row: (Int) -> [String]) -> ResultTable {
    let picked = Array(order.prefix(limit))
    let names = PlaceNames.near(picked.map { cube.tessellation.center(cube.locations[$0]) }, crs: cube.crs)
    return ResultTable(title: title, columns: ["place", "cell"] + columns,
                       rows: picked.enumerated().map { k, i in [names[k], "\(cube.locations[i].col),\(cube.locations[i].row)"] + row(i) })
}

/// Names for map positions: the nearest town of the shipped gazetteer (population ≥ 5,000 or a
/// border post), as "near Termez (UZ)" unless within 5 km.
enum PlaceNames {
    /// The towns named: read from the shipped gazetteer's file alone (a tenth of the time the
    /// geocoder's indexes take to build).
    static let towns: [Place] = {
        var places = (try? Gazetteer.readFile(nil).0) ?? []
        if let posts = Gazetteer.shippedPostsPath, let p = try? Gazetteer.readShippedPosts(posts).0 {
            places += p
        }
        return places.filter { $0.population >= 5000 || $0.isShippedPost }
    }()

    /// Starts reading the towns on another thread (the summary needs them at the end).
    static func loadInBackground() {
        DispatchQueue.global(qos: .utility).async { _ = PlaceNames.towns }
    }

    static func near(_ points: [XY], crs: CRS) -> [String] {
        guard !points.isEmpty, let t = try? Transformer(from: crs, to: .wgs84) else { return points.map { _ in "" } }
        let towns = PlaceNames.towns
        return points.map { p in
            guard let ll = try? t.transform(p) else { return "" }
            // A flat-earth shortlist (degrees of longitude shrunk by cos latitude), then geodesics.
            let k = cos(ll.y * .pi / 180)
            var shortlist: [(Double, Int)] = []
            for (i, town) in towns.enumerated() {
                let dx = (town.location.lon - ll.x) * k, dy = town.location.lat - ll.y
                let d2 = dx * dx + dy * dy
                if shortlist.count < 8 { shortlist.append((d2, i)); shortlist.sort { $0.0 < $1.0 } }
                else if d2 < shortlist[7].0 { shortlist[7] = (d2, i); shortlist.sort { $0.0 < $1.0 } }
            }
            var best: Place? = nil, bestD = Double.infinity
            for (_, i) in shortlist {
                let d = Geodesic.distance(LonLat(ll), towns[i].location)
                if d < bestD { bestD = d; best = towns[i] }
            }
            guard let b = best else { return "" }
            return bestD < 5000 ? "\(b.name) (\(b.country))" : String(format: "%.0f km from %@ (%@)", bestD / 1000, b.name, b.country)
        }
    }
}

// MARK: Emerging hot spots

/// Emerging Hot Spot Analysis (ANALYSIS.md §7): space-time Gi* of every bin with FDR,
/// Mann–Kendall of each location's z-scores, and ArcGIS's 17 patterns.
/// Layers: `emerging` (one polygon per location: LOCATION, CATEGORY, PATTERN, TREND_Z, TREND_P,
/// TREND_BIN, NUM_HOT, NUM_COLD, col, row, count) and `bins` (every bin's GiZScore, GiPValue, Gi_Bin).
public func emergingHotSpots(_ o: EmergingOptions, context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    try emergingAnalysis(o, context: context).output
}

/// An emerging hot spot analysis with its cube and statistics (for writing them into netCDF).
public struct EmergingAnalysis: Sendable {
    public var cube: SpaceTimeCube
    public var gi: SpaceTimeGiResult
    public var patterns: [EmergingPattern]
    public var trends: [MannKendall]
    public var output: AnalysisOutput

    /// `minlon,minlat,maxlon,maxlat` around the locations that are hot or cold spots in some
    /// step (all locations when none is), with a margin: a map's --extent.
    public var extent: String {
        let T = cube.stepCount
        let significant = cube.locations.indices.filter { i in (0..<T).contains { gi.bin[i * T + $0] != 0 } }
        var e = Envelope.empty
        for i in significant.isEmpty ? Array(cube.locations.indices) : significant {
            for p in cube.tessellation.ring(cube.locations[i]) { e.expand(p) }
        }
        guard let t = try? Transformer(from: cube.crs, to: .wgs84), let g = try? outlineExtent(e, t) else { return "" }
        let mx = max(2, 0.4 * g.width), my = max(1.5, 0.4 * g.height)
        return String(format: "%.3f,%.3f,%.3f,%.3f", g.minX - mx, max(-89, g.minY - my), g.maxX + mx, min(89, g.maxY + my))
    }

    /// The variables ArcGIS's Emerging Hot Spot Analysis adds to its cube, CF-style: each bin's
    /// GiZScore, GiPValue, Gi_Bin (flagged), each location's CATEGORY (flagged), TREND_Z, TREND_P.
    public var netCDFVariables: [NetCDFCube.Variable] {
        let T = cube.stepCount, L = cube.locations.count
        var hot = [Double](repeating: 0, count: L), cold = [Double](repeating: 0, count: L)
        for i in 0..<L { for t in 0..<T { let b = gi.bin[i * T + t]; if b > 0 { hot[i] += 1 } else if b < 0 { cold[i] += 1 } } }
        let order = EmergingPattern.allCases.sorted { $0.category < $1.category }
        return [
            .init("GiZScore", gi.z, perBin: true, attributes: [("long_name", "space-time Getis-Ord Gi* z-score"), ("units", "1")]),
            .init("GiPValue", gi.p, perBin: true, attributes: [("long_name", "two-sided p-value of GiZScore"), ("units", "1")]),
            .init("Gi_Bin", gi.bin.map { Double($0) }, perBin: true, integer: true,
                  attributes: [("long_name", "hot or cold spot confidence after FDR correction"),
                               ("flag_meanings", "cold_spot_99 cold_spot_95 cold_spot_90 not_significant hot_spot_90 hot_spot_95 hot_spot_99")],
                  flagValues: [-3, -2, -1, 0, 1, 2, 3]),
            .init("CATEGORY", patterns.map { Double($0.category) }, perBin: false, integer: true,
                  attributes: [("long_name", "emerging hot spot pattern (ArcGIS CATEGORY)"),
                               ("flag_meanings", order.map { $0.name.lowercased().replacingOccurrences(of: " ", with: "_") }.joined(separator: " "))],
                  flagValues: order.map { Double($0.category) }),
            .init("TREND_Z", trends.map(\.z), perBin: false, attributes: [("long_name", "Mann-Kendall trend z of the location's GiZScore"), ("units", "1")]),
            .init("TREND_P", trends.map(\.p), perBin: false, attributes: [("long_name", "Mann-Kendall trend p-value (two-sided)"), ("units", "1")]),
            .init("NUM_HOT", hot, perBin: false, integer: true, attributes: [("long_name", "steps that are significant hot spots")]),
            .init("NUM_COLD", cold, perBin: false, integer: true, attributes: [("long_name", "steps that are significant cold spots")]),
        ]
    }
}

/// Writes one layer of an emerging analysis (`emerging`, `bins` or `years`): netCDF for `.nc`
/// (the cube with `netCDFVariables`, for `emerging` and `bins`), else through `ResultWriter`.
@discardableResult
public func writeEmerging(_ a: EmergingAnalysis, layer name: String, to path: String, options: WriteOptions = WriteOptions()) throws -> WrittenOutput {
    guard let layer = a.output.layers.first(where: { $0.name == name }) else {
        throw GeoError(.invalidArgument, "the analysis has no layer '\(name)'")
    }
    if (path as NSString).pathExtension.lowercased() == "nc", name != "years" {
        try NetCDFCube.write(a.cube, to: path, overwrite: options.overwrite, inputs: options.inputs, variables: a.netCDFVariables)
        return WrittenOutput(path: path, driver: "netCDF", features: name == "bins" ? a.cube.binCount : a.cube.locations.count)
    }
    return try ResultWriter.write(layer, to: path, options: options)
}

/// Emerging Hot Spot Analysis, keeping the cube and the statistics.
public func emergingAnalysis(_ o: EmergingOptions, context: AnalysisContext = AnalysisContext()) throws -> EmergingAnalysis {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try o.validate()
    PlaceNames.loadInBackground()
    let cube: SpaceTimeCube
    context.progress("reading the events")
    if o.readsCube {
        cube = try NetCDFCube.read(o.events)
        try checkSteps(cube, file: o.events)
        let ignored = [o.cell.map { _ in "{cell}" }, o.cellArea.map { _ in "{cellArea}" }, o.step != "1month" ? "{step}" : nil,
                       o.dateColumn.map { _ in "{dateColumn}" }, o.from.map { _ in "{from}" }, o.to.map { _ in "{to}" },
                       o.where.map { _ in "{where}" }, o.weight.map { _ in "{weight}" }, o.studyArea.map { _ in "{studyArea}" }].compactMap { $0 }
        if !ignored.isEmpty {
            context.warnings.add("\(ignored.joined(separator: ", ")) ignored: the cube's own cells, steps and events are used (make another cube to change them)")
        }
    } else {
        cube = try buildCube(events: o.events, layer: o.layer, sourceCRS: o.sSrs, selection: o, grid: o, step: try TimeStep.parse(o.step),
                             weight: o.weight, warnings: context.warnings, progress: context.progress)
    }
    let band = try Distance.parse(o.band!, option: "{band}").meters
    let spacing: Double
    switch cube.tessellation {
    case .square(let s): spacing = s
    case .hexagon(let a): spacing = a * 3.0.squareRoot()
    }
    if band < spacing * (1 - 1e-9) {
        context.warnings.add("the band (\(Distance(meters: band))) is smaller than the distance between neighbouring cells (\(Distance(meters: spacing))): each bin's neighbours are only its own location's previous steps")
    }
    let T = cube.stepCount
    var k = o.timeWindow
    let cap = Int(0.75 * Double(T))
    if k > cap {
        context.warnings.add("{timeWindow} \(k) is more than three quarters of the \(T) steps; using \(cap), as ArcGIS does")
        k = cap
    }
    context.progress("space-time Gi* of \(cube.binCount.formatted()) bins")
    let gi = try spaceTimeGiStar(values: cube.values, positions: cube.positions, steps: T, band: band, timeWindow: k)
    context.progress("Mann–Kendall trends and patterns of \(cube.locations.count.formatted()) locations")
    if gi.empty > 0 { context.warnings.add("\(gi.empty) of \(cube.binCount) bins have no neighbour besides themselves: their GiZScore is empty") }
    let L = cube.locations.count
    var patterns = [EmergingPattern](repeating: .none, count: L)
    var trends: [MannKendall] = [], hot = [Int](repeating: 0, count: L), cold = [Int](repeating: 0, count: L)
    trends.reserveCapacity(L)
    for i in 0..<L {
        let zs = Array(gi.z[(i * T)..<((i + 1) * T)])
        let mk = MannKendall(zs)
        let states = (0..<T).map { StepState(bin: Int(gi.bin[i * T + $0])) }
        hot[i] = states.filter { $0 == .hot }.count; cold[i] = states.filter { $0 == .cold }.count
        patterns[i] = classifyEmerging(states, trend: mk.bin)
        trends.append(mk)
    }
    var out = AnalysisOutput()
    describe(cube, into: &out)
    out.summary.append("space-time Gi* over all \(cube.binCount.formatted()) bins: neighbours within \(Distance(meters: band)) in the same step and the \(k) previous; hot and cold at 90 % or more after FDR correction")
    var counts: [EmergingPattern: Int] = [:]
    for p in patterns { counts[p, default: 0] += 1 }
    let table = ResultTable(title: "Locations by pattern", columns: ["pattern", "locations"],
                            rows: EmergingPattern.legendOrder.filter { counts[$0] != nil }.map { [$0.name, String(counts[$0]!)] })
    out.tables.append(table)
    for p in EmergingPattern.allCases { out.figures[p.name] = Double(counts[p] ?? 0) }
    let totals = (0..<L).map { i in cube.values[(i * T)..<((i + 1) * T)].reduce(0, +) }
    let finalZ = (0..<L).map { gi.z[$0 * T + T - 1] }
    for (title, kinds) in [("Strongest new hot spots", [EmergingPattern.newHot, .consecutiveHot]),
                           ("Strongest intensifying hot spots", [EmergingPattern.intensifyingHot]),
                           ("Fading hot spots (diminishing, historical)", [EmergingPattern.diminishingHot, .historicalHot])] {
        let order = (0..<L).filter { kinds.contains(patterns[$0]) }.sorted {
            title.contains("new") ? (finalZ[$0], $1) > (finalZ[$1], $0)
                : title.contains("Fading") ? (-trends[$0].z, $1) > (-trends[$1].z, $0) : (trends[$0].z, $1) > (trends[$1].z, $0)
        }
        out.tables.append(placesTable(title, cube: cube, order: order, columns: ["pattern", "last z", "trend z", cube.sums == nil ? "events" : "sum"]) { i in
            [patterns[i].name, String(format: "%.2f", finalZ[i]), String(format: "%.2f", trends[i].z), String(format: "%g", totals[i])]
        })
    }
    out.layers = [emergingLayer(cube, patterns: patterns, trends: trends, hot: hot, cold: cold, totals: totals),
                  binsLayer(cube, gi)]
    if o.by != nil {
        let years = yearsLayer(cube, gi)
        out.layers.append(years.layer)
        out.summary.append("yearly hot spots (cells that were hot or cold spots in some step of the year): "
                           + years.hotPerYear.map { "\($0.year) \($0.hot) hot, \($0.cold) cold" }.joined(separator: "; "))
        for y in years.hotPerYear { out.figures["hot\(y.year)"] = Double(y.hot); out.figures["cold\(y.year)"] = Double(y.cold) }
    }
    out.warnings = context.warnings.messages
    return EmergingAnalysis(cube: cube, gi: gi, patterns: patterns, trends: trends, output: out)
}

/// The yearly hot spots: one polygon per location and year (a step belongs to the year its end
/// falls in). Gi_Bin is the highest confidence the location reached in that year's steps, on the
/// side it was significant more often (hot steps against cold steps; as many of each: 0);
/// NUM_HOT and NUM_COLD say how often. Drawn by `caravan render … --by year`.
func yearsLayer(_ cube: SpaceTimeCube, _ gi: SpaceTimeGiResult) -> (layer: ResultLayer, hotPerYear: [(year: Int, hot: Int, cold: Int)]) {
    let T = cube.stepCount, L = cube.locations.count
    let yearOf = (0..<T).map { cube.steps.bounds($0).end.year }
    let years = Array(Set(yearOf)).sorted()
    let Y = years.count
    var bin = [Int8](repeating: 0, count: L * Y), hot = [Int32](repeating: 0, count: L * Y), cold = [Int32](repeating: 0, count: L * Y)
    var steps = [Int32](repeating: 0, count: Y)
    for t in 0..<T { steps[years.firstIndex(of: yearOf[t])!] += 1 }
    var perYear = years.map { (year: $0, hot: 0, cold: 0) }
    for i in 0..<L {
        var levels = [[Int32]](repeating: [0, 0, 0, 0, 0, 0, 0], count: Y)     // bins −3…3
        for t in 0..<T { levels[years.firstIndex(of: yearOf[t])!][Int(gi.bin[i * T + t]) + 3] += 1 }
        for y in 0..<Y {
            let c = levels[y]
            let nHot = c[4...].reduce(0, +), nCold = c[...2].reduce(0, +)
            let b: Int8 = nHot > nCold ? Int8((4...6).last { c[$0] > 0 }! - 3) : nCold > nHot ? Int8((0...2).first { c[$0] > 0 }! - 3) : 0
            bin[i * Y + y] = b
            hot[i * Y + y] = c[4...].reduce(0, +); cold[i * Y + y] = c[...2].reduce(0, +)
            if b > 0 { perYear[y].hot += 1 } else if b < 0 { perYear[y].cold += 1 }
        }
    }
    let fields = [ResultField("LOCATION", .integer, role: .identifier, meaning: "location number"),
                  ResultField("year", .string, role: .category, meaning: "the year (steps ending in it)"),
                  ResultField("Gi_Bin", .integer, role: .confidenceBin, meaning: "highest confidence reached in the year's steps, on the side significant more often: ±3/±2/±1 = 99/95/90 % hot (+) or cold (−)",
                              classes: giBinClasses),
                  ResultField("NUM_HOT", .integer, role: .count, meaning: "steps of the year that are significant hot spots"),
                  ResultField("NUM_COLD", .integer, role: .count, meaning: "steps of the year that are significant cold spots"),
                  ResultField("STEPS", .integer, role: .count, meaning: "steps in the year"),
                  ResultField("col", .integer, role: .gridIndex, meaning: "column of the cell"),
                  ResultField("row", .integer, role: .gridIndex, meaning: "row of the cell")]
    let tess = cube.tessellation, locations = cube.locations
    let labels = years.map(String.init), binOf = bin, hotOf = hot, coldOf = cold, stepsOf = steps
    // Year-major: each year's panel is one run of features.
    let layer = ResultLayer(name: "years", kind: .hotSpots, title: "Hot spots by year (steps of \(cube.steps.step))", crs: cube.crs, geometryType: .polygon,
                            fields: fields, count: L * Y,
                            geometry: { k in .polygon([tess.ring(locations[k % L])]) },
                            values: { k in
                                let y = k / L, i = k % L
                                return [.integer(Int64(i)), .string(labels[y]), .integer(Int64(binOf[i * Y + y])), .integer(Int64(hotOf[i * Y + y])),
                                        .integer(Int64(coldOf[i * Y + y])), .integer(Int64(stepsOf[y])),
                                        .integer(Int64(locations[i].col)), .integer(Int64(locations[i].row))]
                            },
                            centre: { k in tess.center(locations[k % L]) })
    return (layer, perYear)
}

func emergingLayer(_ cube: SpaceTimeCube, patterns: [EmergingPattern], trends: [MannKendall], hot: [Int], cold: [Int], totals: [Double]) -> ResultLayer {
    let fields = [ResultField("LOCATION", .integer, role: .identifier, meaning: "location number (ArcGIS LOCATION)"),
                  ResultField("CATEGORY", .integer, role: .category, meaning: "pattern number (ArcGIS CATEGORY: 1…8 hot, −1…−8 cold, 0 none)",
                              classes: EmergingPattern.categoryClasses),
                  ResultField("PATTERN", .string, role: .category, meaning: "emerging hot spot pattern (ArcGIS PATTERN)", classes: EmergingPattern.fieldClasses),
                  ResultField("TREND_Z", .real, role: .zScore, meaning: "Mann–Kendall trend z of the location's Gi* z-scores"),
                  ResultField("TREND_P", .real, role: .pValue, meaning: "Mann–Kendall trend p (two-sided)"),
                  ResultField("TREND_BIN", .integer, role: .confidenceBin, meaning: "+1 significant upward trend, −1 downward (p < 0.10), 0 none"),
                  ResultField("NUM_HOT", .integer, role: .count, meaning: "steps that are significant hot spots (FDR, 90 %)"),
                  ResultField("NUM_COLD", .integer, role: .count, meaning: "steps that are significant cold spots (FDR, 90 %)"),
                  ResultField("col", .integer, role: .gridIndex, meaning: "column of the cell in the aligned grid"),
                  ResultField("row", .integer, role: .gridIndex, meaning: "row of the cell in the aligned grid"),
                  ResultField(cube.sums == nil ? "count" : "sum", cube.sums == nil ? .integer : .real, role: cube.sums == nil ? .count : .sum,
                              meaning: cube.sums == nil ? "events over the whole period" : "sum of \(cube.weightField ?? "the weight") over the whole period")]
    let tess = cube.tessellation, locations = cube.locations, weighted = cube.sums != nil
    return ResultLayer(name: "emerging", kind: .emerging, title: "Emerging hot spots (steps of \(cube.steps.step))", crs: cube.crs,
                       geometryType: .polygon, fields: fields, count: locations.count,
                       geometry: { i in .polygon([tess.ring(locations[i])]) },
                       values: { i in
                           [.integer(Int64(i)), .integer(Int64(patterns[i].category)), .string(patterns[i].name),
                            .real(trends[i].z), .real(trends[i].p), .integer(Int64(trends[i].bin)),
                            .integer(Int64(hot[i])), .integer(Int64(cold[i])),
                            .integer(Int64(locations[i].col)), .integer(Int64(locations[i].row)),
                            weighted ? .real(totals[i]) : .integer(Int64(totals[i]))]
                       },
                       centre: { i in tess.center(locations[i]) },
                       metadata: ["step": cube.steps.step.description])
}

func binsLayer(_ cube: SpaceTimeCube, _ gi: SpaceTimeGiResult) -> ResultLayer {
    let T = cube.stepCount
    let fields = [ResultField("LOCATION", .integer, role: .identifier, meaning: "location number"),
                  ResultField("col", .integer, role: .gridIndex, meaning: "column of the cell"),
                  ResultField("row", .integer, role: .gridIndex, meaning: "row of the cell"),
                  ResultField("TIME_STEP", .integer, role: .identifier, meaning: "time step number, 0 = first"),
                  ResultField("time_end", .string, role: .date, meaning: "end of the step (included)"),
                  ResultField(cube.sums == nil ? "count" : "sum", .real, role: cube.sums == nil ? .count : .sum, meaning: "value of the bin"),
                  ResultField("GiZScore", .real, role: .zScore, meaning: "space-time Gi* z-score"),
                  ResultField("GiPValue", .real, role: .pValue, meaning: "two-sided p of the z-score"),
                  ResultField("NNeighbors", .integer, role: .count, meaning: "bins in the neighbourhood, the bin itself included"),
                  ResultField("Gi_Bin", .integer, role: .confidenceBin, meaning: "±3/±2/±1 = 99/95/90 % confidence after FDR correction",
                              classes: giBinClasses)]
    let ends = (0..<T).map { cube.steps.bounds($0).end.iso }
    let tess = cube.tessellation, locations = cube.locations, values = cube.values
    return ResultLayer(name: "bins", kind: .hotSpots, title: "Space-time Gi* of every bin", crs: cube.crs, geometryType: .point,
                       fields: fields, count: cube.binCount,
                       geometry: { k in .point(tess.center(locations[k / T])) },
                       values: { k in
                           let i = k / T, t = k % T
                           return [.integer(Int64(i)), .integer(Int64(locations[i].col)), .integer(Int64(locations[i].row)), .integer(Int64(t)),
                                   .string(ends[t]), .real(values[k]), gi.z[k].isNaN ? .null : .real(gi.z[k]),
                                   gi.p[k].isNaN ? .null : .real(gi.p[k]), .integer(Int64(gi.neighbours[k])), .integer(Int64(gi.bin[k]))]
                       },
                       centre: { k in tess.center(locations[k / T]) })
}

