import ArgumentParser
import CaravanKit
import Foundation

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Draw caravan outputs as a map for a slide (PNG) or for print (PDF, SVG).",
        discussion: """
        Each layer is recognised by its fields: hot spots (Gi_Bin, ArcGIS's seven
        classes), route or kernel density (natural breaks, zero not coloured),
        border crossings (listed post or not, busiest named), corridors (named lines),
        events (circles sized by amount_kg or :field=NAME), emerging patterns.
        The base map (the region's countries, borders, capitals and towns), legend,
        scale bar, north arrow and attribution come without asking. A PNG gets a
        world file (.pgw) and .aux.xml, so GIS tools place it on the ground.
        Style a layer with PATH:key=value,...  (field=, ramp=YlOrRd, method=quantiles,
        title=, layer=).
        Examples:
          caravan render out/seizure_hotspots.geojson -o out/map_hotspots.png
          caravan render out/road_density.tif out/road_crossings.geojson \\
              --title "Roads and border crossings" -o out/map_roads.pdf --paper A4 --landscape
          caravan render out/seizures.gpkg:field=amount_kg --by drug -o out/map_drugs.png
          caravan render out/corridors.geojson --lang ru --focus TJ,AF -o out/map_ru.png
        """
    )
    @Argument(help: "Layers, bottom to top: PATH[:STYLE].") var layers: [String] = []
    @Option(name: .shortAndLong, help: "The map: .png (georeferenced), .pdf or .svg.") var output: String
    @Option(help: "The title (default: what the top layer is).") var title: String?
    @Option(help: "The line under the title.") var subtitle: String?
    @Option(help: "minlon,minlat,maxlon,maxlat to show.") var extent: String?
    @Option(help: "Countries to frame, ISO codes (default KZ,KG,TJ,TM,UZ,AF).") var focus: String?
    @Option(help: "WIDTHxHEIGHT in pixels (default 1920x1080).") var size: String?
    @Option(help: "A4 or A3 instead of --size.") var paper: String?
    @Flag(help: "Landscape paper.") var landscape = false
    @Option(help: "Pixels per inch of a PNG on --paper (default 150).") var dpi: Int?
    @Option(help: "The map's CRS (default: the layers' projected CRS, else Albers equal-area for Central Asia).") var crs: String?
    @Option(help: "How many towns to name (default by picture size; 0 for none).") var labels: Int?
    @Option(help: "Legend and names in en or ru.") var lang: String = "en"
    @Option(help: "One panel per value of this field, one legend.") var by: String?
    @Option(help: "A raster drawn beneath the layers (MBTiles, GeoTIFF, GDAL XML of an XYZ tile folder).") var basemap: String?
    @Option(name: .customLong("basemap-opacity"), help: "0 to 1.") var basemapOpacity = 1.0
    @Option(help: "Attribution of the --basemap imagery.") var attribution: String?
    @Flag(help: "Replace the output if it exists.") var overwrite = false

    func run() throws {
        guard let language = MapLanguage(rawValue: lang.lowercased()) else {
            throw GeoError(.invalidArgument, "--lang \(lang) is not a map language", hint: "use --lang en or --lang ru")
        }
        var o = RenderOptions(layers: layers, output: output)
        o.title = title; o.subtitle = subtitle; o.extent = extent; o.focus = focus; o.size = size; o.paper = paper
        o.landscape = landscape; o.dpi = dpi; o.crs = crs; o.labels = labels; o.lang = language; o.by = by
        o.basemap = basemap; o.basemapOpacity = basemapOpacity; o.attribution = attribution; o.overwrite = overwrite
        let result = try renderMap(o)
        for w in result.warnings { Console.line("caravan: warning: \(w)") }
        for s in result.summary { Console.line("caravan: \(s)") }
    }
}
