import Foundation

/// A planar coordinate. In a geographic CRS `x` is longitude and `y` latitude — always in
/// that order in Caravan, whatever the CRS's authority says.
public struct XY: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    @inlinable public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    public var description: String { "(\(x), \(y))" }
}

/// A geographic position in degrees, longitude first.
public struct LonLat: Hashable, Sendable, CustomStringConvertible {
    public var lon: Double
    public var lat: Double
    @inlinable public init(lon: Double, lat: Double) { self.lon = lon; self.lat = lat }
    public init(_ xy: XY) { lon = xy.x; lat = xy.y }
    public var xy: XY { XY(lon, lat) }
    public var description: String { String(format: "%.6f, %.6f", lon, lat) }
}

/// An axis-aligned rectangle.
public struct Envelope: Hashable, Sendable, CustomStringConvertible {
    public var minX, minY, maxX, maxY: Double
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }
    /// The empty envelope: expanding it by any point gives that point.
    public static let empty = Envelope(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
    public var isEmpty: Bool { minX > maxX || minY > maxY }
    public var width: Double { isEmpty ? 0 : maxX - minX }
    public var height: Double { isEmpty ? 0 : maxY - minY }
    public var center: XY { XY((minX + maxX) / 2, (minY + maxY) / 2) }
    @inlinable public mutating func expand(_ p: XY) {
        if p.x < minX { minX = p.x }; if p.x > maxX { maxX = p.x }
        if p.y < minY { minY = p.y }; if p.y > maxY { maxY = p.y }
    }
    public mutating func expand(_ e: Envelope) {
        guard !e.isEmpty else { return }
        minX = Swift.min(minX, e.minX); minY = Swift.min(minY, e.minY)
        maxX = Swift.max(maxX, e.maxX); maxY = Swift.max(maxY, e.maxY)
    }
    public func intersects(_ o: Envelope) -> Bool {
        !(o.minX > maxX || o.maxX < minX || o.minY > maxY || o.maxY < minY)
    }
    public func contains(_ p: XY) -> Bool { p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY }
    public func expanded(by d: Double) -> Envelope {
        Envelope(minX: minX - d, minY: minY - d, maxX: maxX + d, maxY: maxY + d)
    }
    public var description: String { "[\(minX), \(minY), \(maxX), \(maxY)]" }
}

/// A simple-features geometry as a Swift value.
///
/// Coordinates live in contiguous `[XY]` arrays, one per point sequence (a line string, a
/// ring), never as per-vertex objects. Z and M are dropped when read: Caravan's analysis is
/// planar or geodesic on the ellipsoid.
///
/// ```swift
/// let line = Geometry.lineString([XY(69.24, 41.30), XY(76.89, 43.24)])
/// line.envelope        // [69.24, 41.3, 76.89, 43.24]
/// try line.buffered(by: 0.1).area
/// ```
public enum Geometry: Hashable, Sendable {
    case point(XY)
    case lineString([XY])
    /// Rings, the shell first; each ring closed (first == last).
    case polygon([[XY]])
    case multiPoint([XY])
    case multiLineString([[XY]])
    case multiPolygon([[[XY]]])
    case collection([Geometry])

    /// The kind of geometry, as OGR names it.
    public var type: GeometryType {
        switch self {
        case .point: .point
        case .lineString: .lineString
        case .polygon: .polygon
        case .multiPoint: .multiPoint
        case .multiLineString: .multiLineString
        case .multiPolygon: .multiPolygon
        case .collection: .geometryCollection
        }
    }

    public var isEmpty: Bool {
        switch self {
        case .point(let p): p.x.isNaN
        case .lineString(let c), .multiPoint(let c): c.isEmpty
        case .polygon(let r): r.isEmpty
        case .multiLineString(let l): l.allSatisfy(\.isEmpty)
        case .multiPolygon(let p): p.allSatisfy(\.isEmpty)
        case .collection(let g): g.allSatisfy(\.isEmpty)
        }
    }

    /// Calls `body` with every point sequence (line strings, rings, points as 1-element sequences).
    public func forEachSequence(_ body: ([XY]) throws -> Void) rethrows {
        switch self {
        case .point(let p): if !p.x.isNaN { try body([p]) }
        case .lineString(let c), .multiPoint(let c): try body(c)
        case .polygon(let rings): for r in rings { try body(r) }
        case .multiLineString(let lines): for l in lines { try body(l) }
        case .multiPolygon(let polys): for p in polys { for r in p { try body(r) } }
        case .collection(let gs): for g in gs { try g.forEachSequence(body) }
        }
    }

    /// The line strings of a linear geometry, or the rings of a polygonal one (its boundary).
    public var linework: [[XY]] {
        var out: [[XY]] = []
        switch self {
        case .lineString(let c): out.append(c)
        case .multiLineString(let l): out.append(contentsOf: l)
        case .polygon(let r): out.append(contentsOf: r)
        case .multiPolygon(let p): for poly in p { out.append(contentsOf: poly) }
        case .collection(let gs): for g in gs { out.append(contentsOf: g.linework) }
        case .point, .multiPoint: break
        }
        return out
    }

    /// The points of a point or multi-point geometry.
    public var points: [XY] {
        switch self {
        case .point(let p): p.x.isNaN ? [] : [p]
        case .multiPoint(let c): c
        case .collection(let gs): gs.flatMap(\.points)
        default: []
        }
    }

    public var vertexCount: Int {
        var n = 0
        forEachSequence { n += $0.count }
        return n
    }

    public var envelope: Envelope {
        var e = Envelope.empty
        forEachSequence { for p in $0 { e.expand(p) } }
        return e
    }

    /// Planar length of the linework (perimeter for polygons), in CRS units.
    public var planarLength: Double {
        var total = 0.0
        for l in linework { total += Geometry.planarLength(of: l) }
        return total
    }

    static func planarLength(of c: [XY]) -> Double {
        guard c.count > 1 else { return 0 }
        var s = 0.0
        for i in 1..<c.count { s += hypot(c[i].x - c[i - 1].x, c[i].y - c[i - 1].y) }
        return s
    }

    /// The same geometry with every coordinate mapped by `f`.
    public func mapCoordinates(_ f: (XY) throws -> XY) rethrows -> Geometry {
        switch self {
        case .point(let p): return .point(try f(p))
        case .lineString(let c): return .lineString(try c.map(f))
        case .multiPoint(let c): return .multiPoint(try c.map(f))
        case .polygon(let r): return .polygon(try r.map { try $0.map(f) })
        case .multiLineString(let l): return .multiLineString(try l.map { try $0.map(f) })
        case .multiPolygon(let p): return .multiPolygon(try p.map { try $0.map { try $0.map(f) } })
        case .collection(let g): return .collection(try g.map { try $0.mapCoordinates(f) })
        }
    }
}

/// OGR's geometry type names (2D).
public enum GeometryType: String, Sendable, CaseIterable {
    case unknown = "Unknown"
    case point = "Point"
    case lineString = "LineString"
    case polygon = "Polygon"
    case multiPoint = "MultiPoint"
    case multiLineString = "MultiLineString"
    case multiPolygon = "MultiPolygon"
    case geometryCollection = "GeometryCollection"
    case none = "None"

    /// The WKB type code (2D).
    public var wkbCode: UInt32 {
        switch self {
        case .unknown: 0
        case .point: 1
        case .lineString: 2
        case .polygon: 3
        case .multiPoint: 4
        case .multiLineString: 5
        case .multiPolygon: 6
        case .geometryCollection: 7
        case .none: 100
        }
    }

    public init(wkbCode: UInt32) {
        switch wkbCode % 1000 {
        case 1: self = .point
        case 2: self = .lineString
        case 3: self = .polygon
        case 4: self = .multiPoint
        case 5: self = .multiLineString
        case 6: self = .multiPolygon
        case 7: self = .geometryCollection
        case 100: self = .none
        default: self = .unknown
        }
    }

    /// Point, line or polygon, ignoring "multi".
    public var dimensionFamily: Int? {
        switch self {
        case .point, .multiPoint: 0
        case .lineString, .multiLineString: 1
        case .polygon, .multiPolygon: 2
        default: nil
        }
    }
}
