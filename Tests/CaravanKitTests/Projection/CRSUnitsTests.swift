import Foundation
import Testing
@testable import CaravanKit

/// Issue 15: a CRS in feet or km was used as metres (EPSG:2263 gave 238,004 km of railway for
/// 71,566), a geocentric one as a map; 3-D CRSs were kept on 2-D outputs; lon/lat cells over
/// 180° or around a pole wound the wrong way.
@Suite("CRS kinds and units; antimeridian cutting")
struct CRSUnitsTests {
    @Test("EPSG:2263 (US survey feet) becomes the same projection in metres: the coordinates of EPSG:32118")
    func feetToMetres() throws {
        let feet = try CRS("EPSG:2263")
        #expect(feet.kind == .projected)
        #expect(abs(feet.axisUnits[0].metres - 1200.0 / 3937) < 1e-12)
        let metric = try feet.forMetricAnalysis()
        #expect(metric.axisUnits.map(\.metres) == [1, 1])
        #expect(metric.name.contains("in metres"))
        // NAD83 / New York Long Island in metres is EPSG:32118: the same map, in metres.
        let reference = try CRS("EPSG:32118")
        for p in [XY(-73.95, 40.78), XY(-72.5, 41.0), XY(69.24, 41.3)] {
            let a = try Transformer(from: .wgs84, to: metric).transform(p)
            let b = try Transformer(from: .wgs84, to: reference).transform(p)
            #expect(abs(a.x - b.x) < 1e-3 && abs(a.y - b.y) < 1e-3, "\(p): \(a) vs \(b)")
        }
        // A CRS in metres is kept as it is.
        #expect(try CRS("EPSG:32642").forMetricAnalysis() == CRS("EPSG:32642"))
    }

    @Test("a CRS in kilometres becomes metres: UTM 42N in km gives UTM 42N's metres")
    func kilometres() throws {
        let km = try CRS("+proj=utm +zone=42 +datum=WGS84 +units=km")
        #expect(km.axisUnits.first?.metres == 1000)
        let metric = try km.forMetricAnalysis()
        let a = try Transformer(from: .wgs84, to: metric).transform(XY(69.24, 41.3))
        let b = try Transformer(from: .wgs84, to: CRS("EPSG:32642")).transform(XY(69.24, 41.3))
        #expect(abs(a.x - b.x) < 1e-3 && abs(a.y - b.y) < 1e-3, "\(a) vs \(b)")
    }

    @Test("geocentric, geographic and vertical CRSs are refused with a one-line reason")
    func refused() throws {
        for (def, word) in [("EPSG:4978", "geocentric"), ("EPSG:4326", "geographic"), ("EPSG:4979", "geographic")] {
            do {
                _ = try CRS(def).forMetricAnalysis()
                Issue.record("\(def) was accepted")
            } catch let e as GeoError {
                #expect(e.message.contains(word) && !e.message.contains("\n"), "\(def): \(e.message)")
                #expect(e.hint?.contains("projected CRS in metres") == true)
            }
        }
    }

    @Test("a vertical CRS (heights only) is refused too")
    func vertical() throws {
        #expect(throws: GeoError.self) { _ = try CRS("EPSG:5773").forMetricAnalysis() }
        #expect(throws: GeoError.self) { _ = try CRS("+proj=geocent +datum=WGS84 +units=m").forMetricAnalysis() }
    }

    @Test("3-D CRSs have a 2-D part: EPSG:4979 → WGS 84 2-D, UTM + heights → UTM; 2-D CRSs have none")
    func twoDimensional() throws {
        let geo3 = try #require(try CRS("EPSG:4979").twoDimensional)
        #expect(geo3.kind == .geographic && geo3.isEquivalent(to: .wgs84), "\(geo3.wkt)")
        let compound = try #require(try CRS("EPSG:32642+5773").twoDimensional)
        #expect(compound.isEquivalent(to: try CRS("EPSG:32642")), "\(compound)")
        #expect(try CRS("EPSG:32642").twoDimensional == nil)
        #expect(CRS.wgs84.twoDimensional == nil)
    }

    /// Twice the signed area of a ring (positive: counter-clockwise).
    static func signedArea(_ r: [XY]) -> Double {
        var a = 0.0
        for i in 0 ..< r.count - 1 { a += r[i].x * r[i + 1].y - r[i + 1].x * r[i].y }
        return a / 2
    }

    @Test("a square over 180° is cut into two counter-clockwise parts on either side, with the same area")
    func cutSquare() throws {
        // 179.5°E → 180.5°E (−179.5°), as a reprojected cell comes out of PROJ.
        let ring = [XY(179.5, 10), XY(-179.5, 10), XY(-179.5, 11), XY(179.5, 11), XY(179.5, 10)]
        let cut = try Antimeridian.cut(.polygon([ring]))
        guard case .multiPolygon(let parts) = cut else { Issue.record("\(cut)"); return }
        #expect(parts.count == 2)
        var area = 0.0
        for p in parts {
            let xs = p[0].map(\.x)
            #expect(xs.allSatisfy { $0 >= -180 && $0 <= 180 })
            #expect(xs.max()! - xs.min()! <= 0.5 + 1e-9)
            #expect(Self.signedArea(p[0]) > 0)
            #expect(try Geometry.polygon(p).isValid)
            area += abs(Self.signedArea(p[0]))
        }
        #expect(abs(area - 1) < 1e-9)
        // Not crossing: unchanged.
        let inside = Geometry.polygon([[XY(10, 10), XY(11, 10), XY(11, 11), XY(10, 11), XY(10, 10)]])
        #expect(try Antimeridian.cut(inside) == inside)
    }

    @Test("a line over 180° is cut there at the interpolated latitude")
    func cutLine() throws {
        let cut = try Antimeridian.cut(.lineString([XY(179, 0), XY(-179, 2)]))
        guard case .multiLineString(let parts) = cut else { Issue.record("\(cut)"); return }
        #expect(parts == [[XY(179, 0), XY(180, 1)], [XY(-180, 1), XY(-179, 2)]])
    }

    @Test("a ring around the North Pole is closed along the pole and cut at 180°: valid, counter-clockwise")
    func pole() throws {
        let ring = [XY(-135, 89), XY(-45, 89), XY(45, 89), XY(135, 89), XY(-135, 89)]
        let cut = try Antimeridian.cut(.polygon([ring]))
        var parts: [[[XY]]] = []
        switch cut { case .polygon(let r): parts = [r]; case .multiPolygon(let p): parts = p; default: break }
        #expect(!parts.isEmpty)
        var area = 0.0
        for p in parts {
            #expect(p[0].allSatisfy { $0.x >= -180 && $0.x <= 180 && $0.y >= 89 && $0.y <= 90 })
            #expect(p[0].contains { $0.y == 90 })
            #expect(Self.signedArea(p[0]) > 0)
            #expect(try Geometry.polygon(p).isValid)
            area += Self.signedArea(p[0])
        }
        // The band from 89° to the pole, all the way round, in lon/lat: 360 × 1 degree².
        #expect(abs(area - 360) < 1e-6, "\(area)")
    }
}
