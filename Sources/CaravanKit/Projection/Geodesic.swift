internal import CPROJ
import Foundation

/// Distances, lengths and areas on the WGS84 ellipsoid (PROJ's geodesic.h, Karney's
/// algorithms: accurate to nanometres). Inputs are lon/lat degrees.
///
/// ```swift
/// Geodesic.distance(LonLat(lon: 69.2401, lat: 41.2995), LonLat(lon: 76.9286, lat: 43.2567))  // ≈ 668,500 m
/// ```
public enum Geodesic {
    private static let wgs84: geod_geodesic = {
        var g = geod_geodesic()
        geod_init(&g, 6_378_137, 1 / 298.257223563)
        return g
    }()

    /// Distance in metres between two points.
    public static func distance(_ a: LonLat, _ b: LonLat) -> Double {
        var g = wgs84
        var s12 = 0.0, az1 = 0.0, az2 = 0.0
        geod_inverse(&g, a.lat, a.lon, b.lat, b.lon, &s12, &az1, &az2)
        return s12
    }

    /// Distance in metres and initial azimuth in degrees from `a` to `b`.
    public static func inverse(_ a: LonLat, _ b: LonLat) -> (metres: Double, azimuth: Double) {
        var g = wgs84
        var s12 = 0.0, az1 = 0.0, az2 = 0.0
        geod_inverse(&g, a.lat, a.lon, b.lat, b.lon, &s12, &az1, &az2)
        return (s12, az1)
    }

    /// The point `metres` from `start` along `azimuth` (degrees clockwise from north).
    public static func destination(from start: LonLat, azimuth: Double, metres: Double) -> LonLat {
        var g = wgs84
        var lat2 = 0.0, lon2 = 0.0, az2 = 0.0
        geod_direct(&g, start.lat, start.lon, azimuth, metres, &lat2, &lon2, &az2)
        return LonLat(lon: lon2, lat: lat2)
    }

    /// Length in metres of a lon/lat polyline.
    public static func length(of line: [XY]) -> Double {
        guard line.count > 1 else { return 0 }
        var g = wgs84
        var total = 0.0
        var s12 = 0.0, az1 = 0.0, az2 = 0.0
        for i in 1..<line.count {
            geod_inverse(&g, line[i - 1].y, line[i - 1].x, line[i].y, line[i].x, &s12, &az1, &az2)
            total += s12
        }
        return total
    }

    /// Geodesic length in metres of a lon/lat geometry's linework (perimeter for polygons).
    public static func length(of geometry: Geometry) -> Double {
        geometry.linework.reduce(0) { $0 + length(of: $1) }
    }

    /// Area in square metres of a lon/lat ring (either winding; always positive).
    public static func area(ofRing ring: [XY]) -> Double {
        guard ring.count > 2 else { return 0 }
        var g = wgs84
        var lats = ring.map(\.y), lons = ring.map(\.x)
        var a = 0.0, p = 0.0
        geod_polygonarea(&g, &lats, &lons, Int32(ring.count), &a, &p)
        return abs(a)
    }

    /// Area in square metres of a lon/lat polygonal geometry (shells minus holes).
    public static func area(of geometry: Geometry) -> Double {
        switch geometry {
        case .polygon(let rings):
            guard let shell = rings.first else { return 0 }
            return area(ofRing: shell) - rings.dropFirst().reduce(0) { $0 + area(ofRing: $1) }
        case .multiPolygon(let polys): return polys.reduce(0) { $0 + area(of: .polygon($1)) }
        case .collection(let gs): return gs.reduce(0) { $0 + area(of: $1) }
        default: return 0
        }
    }

    /// Points along the great circle (geodesic) from `a` to `b`, at most `maxSpacing` metres
    /// apart, `a` included and `b` excluded.
    public static func densify(from a: LonLat, to b: LonLat, maxSpacing: Double) -> [XY] {
        let (d, az) = inverse(a, b)
        let n = max(1, Int((d / maxSpacing).rounded(.up)))
        var out = [a.xy]
        out.reserveCapacity(n)
        for k in 1..<n { out.append(destination(from: a, azimuth: az, metres: d * Double(k) / Double(n)).xy) }
        return out
    }
}

extension Geodesic {
    /// Distance in metres between two nearby points: for segments under 0.1° a flat-earth
    /// approximation on the ellipsoid's local radii of curvature at the mid-latitude (relative
    /// error below 10⁻⁵), else the exact geodesic. For summing long polylines fast.
    @inline(__always)
    public static func shortDistance(_ a: XY, _ b: XY) -> Double {
        let dLat = b.y - a.y, dLon = b.x - a.x
        guard abs(dLat) < 0.1 && abs(dLon) < 0.1 else { return distance(LonLat(a), LonLat(b)) }
        let phi = (a.y + b.y) * 0.5 * .pi / 180
        let e2 = 0.0066943799901413165, aAxis = 6_378_137.0
        let s = sin(phi), w = (1 - e2 * s * s).squareRoot()
        let n = aAxis / w, m = aAxis * (1 - e2) / (w * w * w)
        let dy = dLat * .pi / 180 * m, dx = dLon * .pi / 180 * n * cos(phi)
        return (dx * dx + dy * dy).squareRoot()
    }
}
