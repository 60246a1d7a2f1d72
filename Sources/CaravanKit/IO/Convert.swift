import Foundation

/// Options for `convert(source:to:options:)`, mirroring ogr2ogr's most used flags.
public struct ConvertOptions: Sendable {
    public var layer: String?
    /// OGR SQL `WHERE` clause.
    public var whereClause: String?
    /// Fields to keep, in this order; nil = all.
    public var select: [String]?
    /// Reproject to this CRS (GeoJSON and KML are always written in WGS84).
    public var targetCRS: CRS?
    /// Repair invalid polygons with GEOS MakeValid instead of only reporting them.
    public var makeValid = false
    public var write = WriteOptions()
    public init() {}
}

/// What a conversion did, for a person to read.
public struct ConvertSummary: Sendable {
    public var features = 0
    public var withoutGeometry = 0
    public var invalid = 0
    public var repaired = 0
    /// Up to five examples of invalid geometries: "feature 3: Self-intersection[...]".
    public var invalidExamples: [String] = []
    public var outputCRS: CRS?
    /// What the writer changed and says so (renamed Shapefile fields, cut text).
    public var warnings: [String] = []
}

/// Copies a layer into a new file, streaming, with optional filter, field selection,
/// reprojection and repair; written safely (temporary file, then rename).
///
/// ```swift
/// var o = ConvertOptions(); o.whereClause = "role = 'focus'"
/// let s = try convert(source: Dataset.open("countries.shp"), to: "focus.geojson", options: o)
/// print(s.features)
/// ```
public func convert(source: Dataset, to output: String, options: ConvertOptions,
                    progress: ((Int) -> Void)? = nil) throws -> ConvertSummary {
    let layer = try source.layer(named: options.layer)
    if let w = options.whereClause { try layer.setAttributeFilter(w) }
    let schema = layer.schema
    var indices = Array(0..<schema.count)
    if let select = options.select {
        guard !select.isEmpty, !select.contains(where: { $0.isEmpty }) else {
            throw GeoError(.invalidArgument, "the list of fields to keep is empty or has an empty name; it would drop attributes",
                           file: source.path, layer: layer.name, hint: "name the fields, e.g. {select} name,kind (the fields are: \(schema.names.joined(separator: ", ")))")
        }
        indices = try select.map { name in
            guard let i = schema.index(of: name) else {
                throw GeoError(.invalidArgument, "no field '\(name)'; the fields are: \(schema.names.joined(separator: ", "))",
                               file: source.path, layer: layer.name)
            }
            return i
        }
    }
    let fields = indices.map { schema.fields[$0] }
    let sourceCRS = try layer.crs
    var transformer: Transformer? = nil
    if let t = options.targetCRS {
        guard let sourceCRS else {
            throw GeoError(.projection, "the layer has no CRS, so it cannot be reprojected", file: source.path, layer: layer.name,
                           hint: "say what it is with {sSrs}, e.g. {sSrs} EPSG:4326")
        }
        transformer = try Transformer(from: sourceCRS, to: t)
    }
    var writeOptions = options.write
    writeOptions.inputs.append(source.path)
    var gtype = layer.geometryType
    let format = try OutputFormat.resolve(path: output, format: writeOptions.format)
    if source.driverName == "ESRI Shapefile", format != .shapefile {
        // A Shapefile does not tell single from multi parts: declare the multi type.
        if gtype == .polygon { gtype = .multiPolygon } else if gtype == .lineString { gtype = .multiLineString }
    }
    let writer = try VectorWriter(path: output, layerName: layer.name, geometryType: gtype,
                                  crs: options.targetCRS ?? sourceCRS, fields: fields, options: writeOptions)
    var summary = ConvertSummary()
    summary.outputCRS = writer.outputCRS
    let cursor = try layer.features()
    while let f = try cursor.next() {
        var g = f.geometry
        if var geom = g {
            if geom.type.dimensionFamily == 2 {
                let valid = try geom.isValid
                if !valid {
                    summary.invalid += 1
                    if summary.invalidExamples.count < 5 {
                        summary.invalidExamples.append("feature \(f.fid): \((try? geom.validityReason) ?? "invalid")")
                    }
                    if options.makeValid {
                        do { geom = try geom.madeValid() } catch { throw error.adding(file: source.path, layer: layer.name, featureID: f.fid) }
                        summary.repaired += 1
                    }
                }
            }
            if let transformer {
                do { geom = try transformer.transform(geom) } catch { throw error.adding(file: source.path, layer: layer.name, featureID: f.fid) }
            }
            g = geom
        } else if gtype != .none {
            summary.withoutGeometry += 1
        }
        do {
            try writer.write(geometry: g, values: indices.map { f.values[$0] }, featureID: f.fid)
        } catch let e as GeoError {
            // Errors of features encoded later name their own feature.
            throw e.with(layer: layer.name, featureID: f.fid)
        }
        summary.features += 1
        if summary.features % 10_000 == 0 { progress?(summary.features) }
    }
    do { try writer.commit() } catch let e as GeoError { throw e.with(layer: layer.name) }
    summary.warnings = writer.warnings
    if let w = layer.droppedDimensionsWarning(features: summary.features - summary.withoutGeometry) { summary.warnings.append(w) }
    return summary
}
