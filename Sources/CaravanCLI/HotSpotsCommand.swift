import ArgumentParser
import CaravanKit
import Foundation

struct HotSpotsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspots",
        abstract: "Hot spots of events: Getis-Ord Gi* as ArcGIS Pro computes it.",
        discussion: """
        Events are counted (or --weight summed) per grid cell (zero cells included, as
        ArcGIS does), per polygon (--polygons), or per point within a radius (--at
        POINTS --radius R, geodesic).
        Gi* uses a fixed distance band (--band; default: the distance giving every
        feature a neighbour), --band auto (as Optimized Hot Spot Analysis chooses it),
        --knn K, or --inverse-distance. Output fields: SOURCE_ID, count or sum,
        GiZScore, GiPValue, Gi_Bin (±3/±2/±1 = 99/95/90% confidence), NNeighbors (the
        focal feature included).
        Examples:
          caravan hotspots events.gpkg --cell 25km --band 75km -o out/hotspots.geojson
          caravan hotspots events.gpkg --grid hex --cell-area 500km2 --band auto \\
              --fdr -o out/hex_hotspots.geojson
          caravan hotspots events.gpkg --polygons shapefiles/provinces.shp --knn 8 \\
              -o out/provinces.geojson
          caravan hotspots events.gpkg --at shapefiles/border_posts.shp \\
              --radius 20km --band 300km -o out/posts.geojson
        """
    )

    @Argument(help: "Event points (a table with lon/lat columns works too).") var events: String
    @Option(help: "The events' layer, when the source has several.") var layer: String?
    @OptionGroup var gridOptions: GridOptions
    @Option(help: "Aggregate to the polygons of this layer instead of a grid.") var polygons: String?
    @Option(help: "Aggregate to the points of this layer (with --radius) instead of a grid.") var at: String?
    @Option(help: "Radius around each --at point (geodesic).") var radius: String?
    @Option(name: .customLong("id-field"), help: "Field labelling --polygons or --at features (SOURCE_ID).") var idField: String?
    @Option(help: "Distance band (e.g. 75km), or auto.") var band: String?
    @Option(help: "Use the K nearest neighbours instead of a distance band.") var knn: Int?
    @Flag(name: .customLong("inverse-distance"), help: "Weight neighbours by 1/distance (within --band if given).") var inverseDistance = false
    @Option(help: "Numeric field to sum instead of counting events.") var weight: String?
    @Flag(help: "Correct the bins for multiple testing (false discovery rate), as ArcGIS does.") var fdr = false
    @Option(name: .shortAndLong, help: "Output file.") var output: String
    @Flag(help: "Replace the output if it exists.") var overwrite = false
    @OptionGroup var input: SourceOptions

    func validate() throws {
        let targets = [polygons != nil, at != nil].filter { $0 }.count
        if targets > 1 { throw ValidationError("give one of --cell/--cell-area, --polygons, --at") }
        if at != nil && radius == nil { throw ValidationError("--at needs --radius, e.g. --radius 20km") }
        if knn != nil && band != nil && !inverseDistance { throw ValidationError("give --band or --knn, not both") }
        if let k = knn, k < 1 { throw ValidationError("--knn must be at least 1") }
    }

    func run() throws {
        let start = Date()
        let l = try Dataset.open(events, options: try input.openOptions()).layer(named: layer)
        let target: AggregationTarget
        if let p = polygons {
            target = .polygons(try Dataset.open(p).layer(named: nil).snapshot(), idField: idField)
        } else if let a = at {
            target = .points(try Dataset.open(a).layer(named: nil).snapshot(), radius: try Distance.parse(radius!, option: "--radius").meters, idField: idField)
        } else {
            guard let t = try gridOptions.tessellation() else {
                throw GeoError(.invalidArgument, "no aggregation", hint: "give --cell 25km (or --cell-area 500km2), --polygons LAYER or --at POINTS --radius R")
            }
            target = .grid(t, studyArea: try gridOptions.studyAreaGeometry())
        }
        let units = try aggregateEvents(l, to: target, crs: try gridOptions.analysisCRS(), weightField: weight, maxCells: gridOptions.maxCells)
        if units.eventsWithoutGeometry > 0 {
            Console.line("caravan: warning: \(units.eventsWithoutGeometry) of \(units.eventsRead) events have no location and were skipped")
        }
        if units.eventsOutside > 0 {
            Console.line("caravan: \(units.eventsOutside) events fall outside every \(polygons != nil ? "polygon" : at != nil ? "radius" : "cell of the study area")")
        }
        // Spatial relationships.
        var reason: String? = nil
        let weights: SpatialWeights
        if let k = knn {
            weights = .nearest(k)
        } else if band?.lowercased() == "auto" {
            let (d, why, _) = optimizedBand(values: units.values, positions: units.positions)
            weights = inverseDistance ? .inverseDistance(power: 1, band: d) : .fixedBand(d)
            reason = why
        } else if let b = band {
            let d = try Distance.parse(b, option: "--band").meters
            weights = inverseDistance ? .inverseDistance(power: 1, band: d) : .fixedBand(d)
            if case .grid(let t, _) = target {
                let spacing = t.isSquare ? t.cellArea.squareRoot() : (t.cellArea / (1.5 * 3.0.squareRoot())).squareRoot() * 3.0.squareRoot()
                if d < spacing {
                    throw GeoError(.invalidArgument, "the band (\(Distance(meters: d))) is smaller than the distance between neighbouring cells (\(Distance(meters: spacing))): no cell would have a neighbour",
                                   hint: "use at least --band \(Distance(meters: spacing * 3)), or --band auto")
                }
            }
        } else if inverseDistance {
            weights = .inverseDistance(power: 1, band: nil)
        } else {
            let d = (nearestNeighbourDistances(units.positions).max() ?? 0) * 1.0001
            weights = .fixedBand(d)
            reason = "ArcGIS's default: the distance that gives every feature at least one neighbour"
        }
        if case .fixedBand(let d) = weights, let reason { Console.line("caravan: distance band \(Distance(meters: d)): \(reason)") }
        let result = try getisOrdGiStar(values: units.values, positions: units.positions, weights: weights, fdr: fdr, grid: units.grid)
        for w in result.warnings { Console.line("caravan: warning: \(w)") }
        try HotSpotWriter.write(units, result, to: output, options: WriteOptions(overwrite: overwrite, inputs: [events]))
        let hot = result.bin.filter { $0 > 0 }.count, cold = result.bin.filter { $0 < 0 }.count
        Console.line(String(format: "caravan: %d %@, %d events; %d hot and %d cold at 90%% or more%@; %.1f s; written to %@",
                            units.values.count, polygons != nil ? "polygons" : at != nil ? "points" : "cells", units.eventsRead - units.eventsWithoutGeometry,
                            hot, cold, fdr ? " (FDR-corrected)" : "", Date().timeIntervalSince(start), output))
        HotSpotWriter.printTop(units, result, count: 10)
    }

}

enum HotSpotWriter {
    static func write(_ u: AggregatedUnits, _ r: HotSpotResult, to path: String, options: WriteOptions) throws {
        let format = try OutputFormat.resolve(path: path, format: options.format)
        var fields = [FieldDefinition("SOURCE_ID", .string), FieldDefinition(u.valueName, .real, width: 18, precision: 6),
                      FieldDefinition("GiZScore", .real), FieldDefinition("GiPValue", .real),
                      FieldDefinition("NNeighbors", .integer), FieldDefinition("Gi_Bin", .integer)]
        if u.cells != nil { fields.insert(contentsOf: [FieldDefinition("col", .integer), FieldDefinition("row", .integer)], at: 1) }
        let asCentres = format == .csv
        let w = try VectorWriter(path: path, layerName: "hotspots", geometryType: asCentres ? .point : .unknown, crs: u.crs, fields: fields, options: options)
        for i in u.values.indices {
            var v: [FieldValue] = [.string(u.ids[i])]
            if let cells = u.cells { v += [.integer(Int64(cells[i].col)), .integer(Int64(cells[i].row))] }
            v += [.real(u.values[i]), r.z[i].map { .real($0) } ?? .null, r.p[i].map { .real($0) } ?? .null,
                  .integer(Int64(r.neighbours[i])), .integer(Int64(r.bin[i]))]
            try w.write(geometry: asCentres ? .point(u.positions[i]) : u.geometries[i], values: v)
        }
        try w.commit()
    }

    static func printTop(_ u: AggregatedUnits, _ r: HotSpotResult, count: Int) {
        let order = u.values.indices.filter { r.z[$0] != nil }.sorted { r.z[$0]! > r.z[$1]! }.prefix(count)
        guard !order.isEmpty else { return }
        let toLonLat = try? Transformer(from: u.crs, to: .wgs84)
        print("Strongest hot spots")
        print("  rank  id                      \(u.valueName.padding(toLength: 8, withPad: " ", startingAt: 0))  GiZScore  GiPValue  Gi_Bin  lon, lat")
        for (k, i) in order.enumerated() {
            let ll = (try? toLonLat?.transform(u.positions[i])) ?? u.positions[i]
            print(String(format: "  %4d  %@  %8.1f  %8.3f  %8.5f  %+6d  %.3f, %.3f", k + 1,
                         u.ids[i].padding(toLength: 22, withPad: " ", startingAt: 0), u.values[i], r.z[i]!, r.p[i]!, r.bin[i], ll.x, ll.y))
        }
    }
}
