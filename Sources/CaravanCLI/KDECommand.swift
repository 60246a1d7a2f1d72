import ArgumentParser
import CaravanKit
import Foundation

struct KDECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kde",
        abstract: "Kernel density of events (ArcGIS's quartic kernel), per km².",
        discussion: """
        D(x) = (1/r²) Σ (3/π) · weight · (1 − (d/r)²)² over the events within r of
        each cell centre, per km². Without --radius, ArcGIS's default (the spatial
        Silverman rule) is used and stated.
        A .tif holds the surface (NoData where no event is within r); vector outputs
        hold the cells with density and expected (density × cell area).
        Examples:
          caravan kde events.gpkg --radius 30km --cell 5km -o out/kde.tif
          caravan kde samples/events/seizures_geocoded.gpkg --cell 5km \\
              --weight amount_kg -o out/kde.geojson
        """
    )
    @Argument(help: "Event points.") var events: String
    @Option(help: "The events' layer.") var layer: String?
    @Option(help: "Search radius (default: ArcGIS's rule).") var radius: String?
    @Option(help: "Cell size (default: a 250th of the shorter side of the extent).") var cell: String?
    @Option(help: "Numeric field weighting each event (ArcGIS's population field).") var weight: String?
    @Option(help: "Analysis CRS, projected in metres.") var crs: String?
    @Flag(help: "Extend the extent by the radius (ArcGIS uses the events' extent).") var padded = false
    @Option(name: .customLong("max-cells"), help: "Refuse grids with more cells than this.") var maxCells = 10_000_000
    @Option(name: .shortAndLong, help: "Output: .tif, .geojson, .gpkg, .csv.") var output: String
    @Flag(help: "Replace the output if it exists.") var overwrite = false
    @OptionGroup var input: SourceOptions

    func run() throws {
        let l = try Dataset.open(events, options: try input.openOptions()).layer(named: layer)
        let s = try kernelDensity(l, cell: try cell.map { try Distance.parse($0, option: "--cell").meters },
                                  radius: try radius.map { try Distance.parse($0, option: "--radius").meters },
                                  crs: try crs.map { try CRS($0) }, weightField: weight, padded: padded, maxCells: maxCells)
        let size = s.window.tessellation.cellArea.squareRoot()
        if cell == nil { Console.line("caravan: cell size \(Distance(meters: size)) (ArcGIS's default: the shorter side of the extent / 250)") }
        if s.radiusIsDefault { Console.line("caravan: search radius \(Distance(meters: s.radius)) (ArcGIS's default, the spatial Silverman rule)") }
        if s.pointsWithoutGeometry > 0 { Console.line("caravan: warning: \(s.pointsWithoutGeometry) events without a location were skipped") }
        try s.write(to: output, options: WriteOptions(overwrite: overwrite, inputs: [events]))
        Console.line(String(format: "caravan: %d events, %@ cells, highest density %.4f per km²; written to %@", s.points,
                            Distance(meters: size).description, s.values.max() ?? 0, output))
    }
}
