import Foundation

/// What kind of product a result layer is. It decides the layer's style (QGIS `.qml`, `caravan
/// render`), how summaries and the recipe manifest describe it; writers treat every kind alike.
public enum ResultKind: String, Codable, Sendable, CaseIterable {
    /// Getis-Ord Gi* per cell, polygon or point (`GiZScore`, `GiPValue`, `Gi_Bin`).
    case hotSpots
    /// Route density per grid cell (`density`, km per km²).
    case density
    /// Kernel density of events (a raster, or cells).
    case kernelDensity
    /// Points where routes cross borders (`post`, `unlisted`).
    case crossings
    /// Corridor lines (`route`, `length_km`).
    case corridors
    /// Event points (geocoded tables, extracted reports).
    case events
    /// Counts and sums per polygon.
    case counts
    /// Shared border lines.
    case borders
    /// Emerging hot spot patterns per location (`PATTERN`, `CATEGORY`).
    case emerging
    /// Space-time cube bins.
    case cube
    /// Load on network edges (`routes`, `weight`).
    case flows
    /// Anything else: drawn and styled plainly.
    case generic
}

/// What a field holds, beyond its storage type.
public enum FieldRole: String, Codable, Sendable {
    case identifier, name, count, sum, measure, zScore, pValue, confidenceBin, category, date, text, gridIndex
}

/// One class of a categorical field (e.g. a `Gi_Bin` value): its value, labels and colour.
public struct FieldClass: Codable, Sendable, Hashable {
    public var value: String
    public var label: String
    /// The label in Russian, for maps and legends in `--lang ru`.
    public var labelRussian: String?
    /// `#RRGGBB`.
    public var colour: String
    public init(value: String, label: String, labelRussian: String? = nil, colour: String) {
        self.value = value; self.label = label; self.labelRussian = labelRussian; self.colour = colour
    }
}

/// A field of a result layer: its definition and its meaning.
public struct ResultField: Sendable, Hashable {
    public var definition: FieldDefinition
    public var role: FieldRole
    /// One line for people and for the manifest, e.g. "Gi* z-score (ArcGIS GiZScore)".
    public var meaning: String
    /// The unit of a measure, e.g. "km/km²", "kg".
    public var unit: String?
    /// The classes of a categorical field, in legend order.
    public var classes: [FieldClass]?

    public init(_ name: String, _ type: FieldType, role: FieldRole, meaning: String, unit: String? = nil,
                classes: [FieldClass]? = nil, width: Int = 0, precision: Int = 0) {
        definition = FieldDefinition(name, type, width: width, precision: precision)
        self.role = role; self.meaning = meaning; self.unit = unit; self.classes = classes
    }

    public init(_ definition: FieldDefinition, role: FieldRole = .text, meaning: String = "") {
        self.definition = definition; self.role = role; self.meaning = meaning
    }

    public var name: String { definition.name }
}

/// A raster result: one band on an aligned square grid, with its meaning.
public struct ResultRaster: Sendable {
    public var grid: RasterGrid
    /// What the values are, e.g. "route density".
    public var meaning: String
    public var unit: String?
    public init(grid: RasterGrid, meaning: String, unit: String? = nil) {
        self.grid = grid; self.meaning = meaning; self.unit = unit
    }
}

/// The one shape every analysis returns its output in: a schema whose fields say what they
/// mean, a CRS, features (produced on demand, so a million-cell grid is never held as a million
/// polygons) and, where the product is a grid of square cells, a raster of it.
///
/// `ResultWriter` writes it to any format; the renderer and the recipe manifest read the same
/// value.
///
/// ```swift
/// let layer = ResultLayer(name: "posts", kind: .generic, crs: .wgs84, geometryType: .point,
///                         fields: [ResultField("name", .string, role: .name, meaning: "post name")],
///                         geometries: [.point(XY(69.2, 41.3))], rows: [[.string("Oybek")]])
/// try ResultWriter.write(layer, to: "out/posts.geojson")
/// ```
public struct ResultLayer: Sendable {
    /// The layer name inside containers (GeoPackage), e.g. "hotspots".
    public var name: String
    public var kind: ResultKind
    /// A title for maps and summaries, e.g. "Seizure hot spots (Gi*, 25 km cells)".
    public var title: String
    /// The CRS of the geometries.
    public var crs: CRS
    /// One geometry type for the whole layer (promote single parts to multi when they mix).
    public var geometryType: GeometryType
    public var fields: [ResultField]
    /// Number of features.
    public var count: Int
    /// The geometry of feature `i` in `crs` (nil: none). Called from any thread.
    public var geometry: @Sendable (Int) throws -> Geometry?
    /// The values of feature `i`, in field order. Called from any thread.
    public var values: @Sendable (Int) -> [FieldValue]
    /// The position to write for feature `i` in a table without geometry (CSV: lon, lat): by
    /// default the point itself or nil; grids give their cell centres.
    public var centre: (@Sendable (Int) -> XY?)?
    /// The raster form of a square-cell product, written when the output is a GeoTIFF.
    public var raster: ResultRaster?
    /// Facts recorded in outputs that carry metadata (analysis CRS, options, version).
    public var metadata: [String: String]

    public init(name: String, kind: ResultKind, title: String? = nil, crs: CRS, geometryType: GeometryType,
                fields: [ResultField], count: Int,
                geometry: @escaping @Sendable (Int) throws -> Geometry?,
                values: @escaping @Sendable (Int) -> [FieldValue],
                centre: (@Sendable (Int) -> XY?)? = nil,
                raster: ResultRaster? = nil, metadata: [String: String] = [:]) {
        self.name = name; self.kind = kind; self.title = title ?? name; self.crs = crs
        self.geometryType = geometryType; self.fields = fields; self.count = count
        self.geometry = geometry; self.values = values; self.centre = centre
        self.raster = raster; self.metadata = metadata
    }

    /// A layer from arrays already in memory.
    public init(name: String, kind: ResultKind, title: String? = nil, crs: CRS, geometryType: GeometryType,
                fields: [ResultField], geometries: [Geometry?], rows: [[FieldValue]],
                raster: ResultRaster? = nil, metadata: [String: String] = [:]) {
        // A programming error, not input: every caller in the library builds the two arrays in
        // step, feature by feature (a layer without geometry passes one nil per row), so no file,
        // option or row can make them differ. Kept as a precondition rather than a silently
        // shortened layer.
        precondition(geometries.count == rows.count, "ResultLayer: \(geometries.count) geometries for \(rows.count) rows")
        self.init(name: name, kind: kind, title: title, crs: crs, geometryType: geometryType, fields: fields,
                  count: rows.count, geometry: { geometries[$0] }, values: { rows[$0] },
                  raster: raster, metadata: metadata)
    }

    /// A raster-only layer (no features).
    public init(name: String, kind: ResultKind, title: String? = nil, raster: ResultRaster, metadata: [String: String] = [:]) {
        self.init(name: name, kind: kind, title: title, crs: raster.grid.crs, geometryType: .none, fields: [],
                  count: 0, geometry: { _ in nil }, values: { _ in [] }, raster: raster, metadata: metadata)
    }

    public var fieldDefinitions: [FieldDefinition] { fields.map(\.definition) }

    /// The field called `name` (case-insensitive).
    public func field(_ name: String) -> ResultField? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// The index of the field called `name` (case-insensitive).
    public func fieldIndex(_ name: String) -> Int? {
        fields.firstIndex { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    public var isRasterOnly: Bool { count == 0 && raster != nil && fields.isEmpty }
}
