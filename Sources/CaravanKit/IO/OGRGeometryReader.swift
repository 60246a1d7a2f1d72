internal import CGDAL
import Foundation

/// Copies an OGR geometry into a `Geometry` value with one `OGR_G_GetPoints` call per point
/// sequence (a bulk strided copy straight into `[XY]`), never one call per vertex.
/// Types GEOS and Caravan do not model (curves are linearised on read by GDAL) go through WKB.
enum OGRGeometryReader {
    static func read(_ g: OGRGeometryH) throws -> Geometry {
        let type = OGR_GT_Flatten(OGR_G_GetGeometryType(g)).rawValue
        switch type {
        case 1:
            if OGR_G_IsEmpty(g) != 0 { return .point(XY(.nan, .nan)) }
            return .point(XY(OGR_G_GetX(g, 0), OGR_G_GetY(g, 0)))
        case 2: return .lineString(points(g))
        case 3: return .polygon(rings(g))
        case 4:
            let n = OGR_G_GetGeometryCount(g)
            var out: [XY] = []
            out.reserveCapacity(Int(n))
            for i in 0..<n {
                let p = OGR_G_GetGeometryRef(g, i)!
                if OGR_G_IsEmpty(p) == 0 { out.append(XY(OGR_G_GetX(p, 0), OGR_G_GetY(p, 0))) }
            }
            return .multiPoint(out)
        case 5: return .multiLineString((0..<OGR_G_GetGeometryCount(g)).map { points(OGR_G_GetGeometryRef(g, $0)!) })
        case 6: return .multiPolygon((0..<OGR_G_GetGeometryCount(g)).map { rings(OGR_G_GetGeometryRef(g, $0)!) })
        case 7: return .collection(try (0..<OGR_G_GetGeometryCount(g)).map { try read(OGR_G_GetGeometryRef(g, $0)!) })
        default: return try viaWKB(g)
        }
    }

    /// The points of a simple curve (line string or ring), copied in one call.
    static func points(_ g: OGRGeometryH) -> [XY] {
        let n = Int(OGR_G_GetPointCount(g))
        guard n > 0 else { return [] }
        return [XY](unsafeUninitializedCapacity: n) { buf, count in
            let base = UnsafeMutableRawPointer(buf.baseAddress!)
            OGR_G_GetPoints(g, base, Int32(MemoryLayout<XY>.stride), base + 8, Int32(MemoryLayout<XY>.stride), nil, 0)
            count = n
        }
    }

    static func rings(_ g: OGRGeometryH) -> [[XY]] {
        (0..<OGR_G_GetGeometryCount(g)).map { points(OGR_G_GetGeometryRef(g, $0)!) }
    }

    static func viaWKB(_ g: OGRGeometryH) throws -> Geometry {
        let size = Int(OGR_G_WkbSizeEx(g))
        var buf = [UInt8](repeating: 0, count: size)
        let err = buf.withUnsafeMutableBufferPointer { OGR_G_ExportToIsoWkb(g, wkbNDR, $0.baseAddress) }
        guard err == 0 else { throw GeoError(.read, "cannot read the geometry", library: .gdal, operation: "OGR_G_ExportToIsoWkb") }
        return try WKB.decode(buf)
    }
}
