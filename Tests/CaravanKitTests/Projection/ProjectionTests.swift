import Foundation
import Testing
@testable import CaravanKit

@Suite("Projection and geodesy")
struct ProjectionTests {
    /// The meridian arc length of WGS84 by Helmert's series (accurate to well under a millimetre).
    static func meridianArc(_ latDeg: Double) -> Double {
        let a = 6_378_137.0, f = 1 / 298.257223563
        let e2 = f * (2 - f), e4 = e2 * e2, e6 = e4 * e2
        let p = latDeg * .pi / 180
        return a * ((1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * p
            - (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * sin(2 * p)
            + (15 * e4 / 256 + 45 * e6 / 1024) * sin(4 * p)
            - (35 * e6 / 3072) * sin(6 * p))
    }

    @Test("a point on UTM 42N's central meridian (69°E, Tashkent's latitude) by hand")
    func utmCentralMeridian() throws {
        let t = try Transformer(from: .wgs84, to: CRS("EPSG:32642"))
        let p = try t.transform(XY(69, 41.2995))
        #expect(abs(p.x - 500_000) < 1e-3)
        #expect(abs(p.y - 0.9996 * Self.meridianArc(41.2995)) < 1e-2)
    }

    @Test("Tashkent in UTM 42N: about 20.1 km east of the central meridian, and back")
    func tashkentUTM() throws {
        let utm = try CRS("EPSG:32642")
        #expect(utm.name == "WGS 84 / UTM zone 42N")
        #expect(utm.epsg == 32642)
        let t = try Transformer(from: .wgs84, to: utm)
        let tashkent = XY(69.2401, 41.2995)
        let p = try t.transform(tashkent)
        // 0.2401° of longitude at 41.3°N ≈ 20.08 km; the scale factor is 0.9996.
        #expect(abs(p.x - 520_080) < 100)
        let back = try t.transform(p, direction: .inverse)
        #expect(abs(back.x - tashkent.x) < 1e-9 && abs(back.y - tashkent.y) < 1e-9)
    }

    @Test("CRSs from EPSG, ESRI, PROJ strings and WKT; bad ones say why")
    func crsInputs() throws {
        #expect(try CRS("epsg:4326").isGeographic)
        #expect(try CRS("ESRI:102025").name.contains("Asia_North_Albers"))
        let laea = try CRS("+proj=laea +lat_0=42 +lon_0=66 +datum=WGS84 +units=m")
        #expect(!laea.isGeographic)
        #expect(laea.metresPerUnit == 1)
        #expect(try CRS(laea.wkt) == laea)
    } 

    @Test("CRS.wgs84, written out without PROJ, is what this PROJ makes of EPSG:4326, field for field")
    func wgs84IsPROJs() throws {
        let made = try CRS("EPSG:4326")
        #expect(CRS.wgs84.wkt == made.wkt)
        #expect(CRS.wgs84 == made)
        #expect(CRS.wgs84.name == made.name && CRS.wgs84.identifier == made.identifier)
        #expect(CRS.wgs84.isGeographic == made.isGeographic && CRS.wgs84.metresPerUnit == made.metresPerUnit)
        let crs84 = try CRS("OGC:CRS84")
        #expect(CRS.wgs84.kind == .geographic && CRS.wgs84.isEquivalent(to: crs84))
    }

    @Test("unknown CRSs are errors carrying PROJ's message")
    func badCRS() {
        for bad in ["EPSG:999999", "not a crs", "", "+proj=nonsense"] {
            #expect(throws: GeoError.self) { try CRS(bad) }
        }
    }

    @Test("bulk transform: projecting forward then back lands within 1e-7° (1,000 random points)")
    func roundTrip() throws {
        var rng = SeededRNG(seed: 11)
        let crs = CRS.lambertEqualArea(center: LonLat(lon: 67, lat: 42))
        let t = try Transformer(from: .wgs84, to: crs)
        let pts = (0..<1000).map { _ in XY(Double.random(in: 44...90, using: &rng), Double.random(in: 29...57, using: &rng)) }
        var work = pts
        try t.transform(&work)
        #expect(work != pts)
        try t.transform(&work, direction: .inverse)
        for (a, b) in zip(pts, work) { #expect(abs(a.x - b.x) < 1e-7 && abs(a.y - b.y) < 1e-7) }
    }

    /// Vincenty's inverse formula, written out here as an independent check of PROJ's geodesics.
    static func vincenty(_ p: LonLat, _ q: LonLat) -> Double {
        let a = 6_378_137.0, f = 1 / 298.257223563, b = a * (1 - f)
        let L = (q.lon - p.lon) * .pi / 180
        let U1 = atan((1 - f) * tan(p.lat * .pi / 180)), U2 = atan((1 - f) * tan(q.lat * .pi / 180))
        var lambda = L, sinSigma = 0.0, cosSigma = 0.0, sigma = 0.0, cos2Alpha = 0.0, cos2SigmaM = 0.0
        for _ in 0..<200 {
            let sl = sin(lambda), cl = cos(lambda)
            sinSigma = sqrt(pow(cos(U2) * sl, 2) + pow(cos(U1) * sin(U2) - sin(U1) * cos(U2) * cl, 2))
            cosSigma = sin(U1) * sin(U2) + cos(U1) * cos(U2) * cl
            sigma = atan2(sinSigma, cosSigma)
            let sinAlpha = cos(U1) * cos(U2) * sl / sinSigma
            cos2Alpha = 1 - sinAlpha * sinAlpha
            cos2SigmaM = cosSigma - 2 * sin(U1) * sin(U2) / cos2Alpha
            let C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
            let previous = lambda
            lambda = L + (1 - C) * f * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
            if abs(lambda - previous) < 1e-13 { break }
        }
        let u2 = cos2Alpha * (a * a - b * b) / (b * b)
        let A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
        let B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
        let dSigma = B * sinSigma * (cos2SigmaM + B / 4 * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
            - B / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)))
        return b * A * (sigma - dSigma)
    }

    @Test("Tashkent–Almaty: 670.14 km on WGS84 (Vincenty by hand), the 668.5 km usually quoted being the spherical figure")
    func geodesicDistance() {
        let tashkent = LonLat(lon: 69.2401, lat: 41.2995), almaty = LonLat(lon: 76.9286, lat: 43.2567)
        let d = Geodesic.distance(tashkent, almaty)
        #expect(abs(d - Self.vincenty(tashkent, almaty)) < 0.001)
        #expect(abs(d - 670_138.5) < 1)
        #expect(abs(d - 668_500) / 668_500 < 0.005)
        #expect(Geodesic.distance(almaty, tashkent) == d)
    }

    @Test("geodesic length and area of a 1°×1° cell at the equator")
    func geodesicArea() {
        let ring = [XY(0, 0), XY(1, 0), XY(1, 1), XY(0, 1), XY(0, 0)]
        // One degree of longitude on the equator is a·π/180 = 111,319.49 m.
        #expect(abs(Geodesic.length(of: [XY(0, 0), XY(1, 0)]) - 111_319.490_8) < 0.01)
        // The area of a 1°×1° equatorial cell on WGS84 is 12,308,778,361 m² (±1 km²).
        #expect(abs(Geodesic.area(ofRing: ring) - 12_308_778_361) < 1e6)
        #expect(Geodesic.area(ofRing: ring) == Geodesic.area(ofRing: ring.reversed()))
    }

    @Test("the automatic analysis CRS is equal-area: a projected cell keeps its ellipsoidal area")
    func equalArea() throws {
        let crs = CRS.analysisCRS(for: Envelope(minX: 44, minY: 29, maxX: 90, maxY: 57))
        let t = try Transformer(from: .wgs84, to: crs)
        // A 1°×1° cell densified along its edges, far from the centre (Afghanistan's south-west).
        var ring: [XY] = []
        for i in 0..<100 { ring.append(XY(61 + Double(i) / 100, 30)) }
        for i in 0..<100 { ring.append(XY(62, 30 + Double(i) / 100)) }
        for i in 0..<100 { ring.append(XY(62 - Double(i) / 100, 31)) }
        for i in 0..<100 { ring.append(XY(61, 31 - Double(i) / 100)) }
        ring.append(ring[0])
        let geodesic = Geodesic.area(ofRing: ring)
        let planar = try t.transform(Geometry.polygon([ring])).area
        #expect(abs(planar - geodesic) / geodesic < 1e-4)
    }
}
