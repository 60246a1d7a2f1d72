import Foundation

/// How `caravan density` measures: the `--method` flag.
public enum DensityMethodName: String, Codable, Sendable, CaseIterable {
    /// Exact length inside each cell per km² of the cell.
    case length
    /// Length within `radius` of each cell centre per πr².
    case kernel
}

/// The options of `caravan density`, with the flags' names (`--cell-area` is `cellArea`).
///
/// ```swift
/// var o = DensityOptions(routes: "shapefiles/roads.shp", output: "out/road_density.tif")
/// o.cell = "10km"
/// let result = try routeDensity(o)
/// try ResultWriter.write(result.layers[0], to: o.output!)
/// ```
public struct DensityOptions: AnalysisOptions, GridSelection, Hashable {
    public static let command = "density"
    /// The line layer (roads, tracks, routes).
    public var routes: String
    /// The layer, when the source has several.
    public var layer: String?
    /// OGR SQL condition on the routes.
    public var `where`: String?
    public var grid: CellShape = .square
    public var cell: String?
    public var cellArea: String?
    public var crs: String?
    public var studyArea: String?
    public var studyWhere: String?
    public var maxCells = 10_000_000
    public var method: DensityMethodName = .length
    /// The kernel method's search radius, with units.
    public var radius: String?
    /// A numeric field multiplying each route's length.
    public var weight: String?
    public var geodesic = false
    public var boundaries = false
    /// Write cells without routes too (vector outputs; a GeoTIFF holds every cell anyway).
    public var keepEmpty = false
    public var output: String?
    public var overwrite = false
    /// The routes' CRS when the source lacks or misstates it.
    public var sSrs: String?
    public var restoreShx = false

    public init(routes: String, output: String? = nil) { self.routes = routes; self.output = output }

    public var inputPaths: [String] { [routes] + (studyArea.map { [$0] } ?? []) }
    public var outputPaths: [String] { output.map { [$0] } ?? [] }

    public func validate() throws {
        // A cell of "25" is rarely 25 m: a size without a unit is refused.
        for (flag, value) in [("{cell}", cell), ("{radius}", radius)] {
            if let v = value, Double(v.trimmingCharacters(in: .whitespaces)) != nil {
                throw GeoError(.invalidArgument, "\(flag) '\(v)' has no unit", hint: "write it with a unit: \(v)km, \(v)m or \(v)mi (m, km, mi, nm, ft)")
            }
        }
        try validateGrid()
        if cell == nil && cellArea == nil {
            throw GeoError(.invalidArgument, "no cell size", hint: "give {cell} (e.g. {cell} 10km) or {cellArea} (e.g. {cellArea} 500km2)")
        }
        if method == .kernel && radius == nil {
            throw GeoError(.invalidArgument, "the kernel method needs a search radius", hint: "add {radius}, e.g. {radius} 20km")
        }
        if method == .length && radius != nil {
            throw GeoError(.invalidArgument, "a search radius is for the kernel method", hint: "add {method} kernel, or drop {radius}")
        }
        if let r = radius { _ = try Distance.parse(r, option: "{radius}") }
        if let out = output {
            let format = try OutputFormat.resolve(path: out, format: nil)
            if format.isRaster && grid == .hex {
                throw GeoError(.invalidArgument, "a GeoTIFF needs square cells", file: out, hint: "write hexagons to .geojson or .gpkg")
            }
        }
    }

    /// The library's parameters for these options (study area loaded, sizes parsed).
    func parameters() throws -> LineDensityOptions {
        guard let t = try tessellation() else {
            throw GeoError(.invalidArgument, "no cell size", hint: "give {cell} (e.g. {cell} 10km) or {cellArea} (e.g. {cellArea} 500km2)")
        }
        var p = LineDensityOptions(tessellation: t)
        p.crs = try requestedCRS()
        p.weightField = weight
        p.geodesic = geodesic
        p.boundaries = boundaries
        p.maxCells = maxCells
        p.studyArea = try studyAreaGeometry()
        if method == .kernel, let r = radius { p.method = .kernel(radius: try Distance.parse(r, option: "{radius}").meters) }
        return p
    }
}

/// Route density on a grid: km of route per km² of each cell (`caravan density`).
///
/// Returns one layer, the grid (cells with a route, or every analysed cell with `keepEmpty`;
/// its raster form for a GeoTIFF holds 0 where there is no route and NoData only outside the
/// study area), a summary naming the network length, the cells and the highest density, and
/// figures: `routes`, `network_km` (the length of the network analysed, for both methods),
/// `cells`, `cells_with_route`, `max_density`, `features_without_geometry`.
public func routeDensity(_ options: DensityOptions, context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try options.validate()
    let parameters = try options.parameters()
    let openOptions = OpenOptions(sourceCRS: try options.sSrs.map { try CRS($0) }, restoreShx: options.restoreShx)
    let layer = try Dataset.open(options.routes, options: openOptions).layer(named: options.layer)
    if let w = options.where { try layer.setAttributeFilter(w) }
    let grid = try lineDensity(layer, options: parameters) { context.progress("\($0) routes read") }
    let densify = try options.output.map { try OutputFormat.resolve(path: $0, format: nil).requiresWGS84 } ?? false
    let result = try grid.resultLayer(keepEmpty: options.keepEmpty, densifyForWGS84: densify)

    let cells = grid.nonEmptyCells
    let maxDensity = cells.map { grid.density($0) }.max() ?? 0
    let analysed = grid.window.cellCount - grid.excluded.count
    let methodText: String
    switch parameters.method {
    case .length: methodText = "length per cell"
    case .kernel(let r): methodText = "kernel, radius \(Distance(meters: r))"
    }
    var summary = [String(format: "%d routes, %.0f km of network, in %d of %d cells (%@ grid in %@; %@); highest density %.3f km/km²",
                          grid.features, grid.networkLength / 1000, cells.count, analysed,
                          parameters.tessellation.label, grid.crs.description, methodText, maxDensity)]
    if grid.studyArea != nil {
        summary.append("\(grid.excluded.count) cells of the grid lie outside the study area (NoData in a GeoTIFF); cells without route are 0")
    }
    if grid.featuresWithoutGeometry > 0 {
        context.warnings.add("\(grid.featuresWithoutGeometry) features without geometry were skipped")
    }
    let figures: [String: Double] = [
        "routes": Double(grid.features), "network_km": grid.networkLength / 1000, "cells": Double(analysed),
        "cells_with_route": Double(cells.count), "max_density": maxDensity,
        "features_without_geometry": Double(grid.featuresWithoutGeometry),
    ]
    return AnalysisOutput(layers: [result], summary: summary, figures: figures, warnings: context.warnings.messages)
}

extension Tessellation {
    /// "10 km square", "1000.0 km² hexagon".
    public var label: String {
        switch self {
        case .square(let s): return "\(Distance(meters: s)) square"
        case .hexagon: return String(format: "%.1f km² hexagon", cellArea / 1e6)
        }
    }
}
