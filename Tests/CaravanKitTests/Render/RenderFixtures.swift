import Foundation
@testable import CaravanKit

/// Small layers with known answers for the render and style tests: a 16 × 16 grid of 25 km
/// cells centred on 64.8°E 41.0°N (the Kyzylkum, inside Uzbekistan, far from any border), a
/// hot block (Gi_Bin 3) north-east of the centre and a cold block (-3) south-west of it.
enum RenderFixtures {
    static let crs = try! CRS("+proj=laea +lat_0=41 +lon_0=64.8 +datum=WGS84 +units=m +type=crs")
    static let cell = 25_000.0, n = 16
    static let origin = -200_000.0

    static func bin(_ col: Int, _ row: Int) -> Int {
        if (9...11).contains(col) && (9...11).contains(row) { return 3 }
        if (3...5).contains(col) && (3...5).contains(row) { return -3 }
        return 0
    }

    /// The lon/lat of the centre of cell (col, row).
    static func centre(_ col: Int, _ row: Int) throws -> XY {
        let t = try Transformer(from: crs, to: .wgs84)
        return try t.transform(XY(origin + (Double(col) + 0.5) * cell, origin + (Double(row) + 0.5) * cell))
    }

    static var hotSpots: ResultLayer {
        var geoms: [Geometry?] = [], rows: [[FieldValue]] = []
        for row in 0..<n {
            for col in 0..<n {
                let x = origin + Double(col) * cell, y = origin + Double(row) * cell
                geoms.append(.polygon([[XY(x, y), XY(x + cell, y), XY(x + cell, y + cell), XY(x, y + cell), XY(x, y)]]))
                let b = bin(col, row)
                rows.append([.integer(Int64(col)), .integer(Int64(row)), .real(Double(b) * 1.2), .integer(Int64(b))])
            }
        }
        return ResultLayer(name: "hotspots", kind: .hotSpots, title: "Test hot spots", crs: crs, geometryType: .polygon,
                           fields: [ResultField("col", .integer, role: .gridIndex, meaning: "column"),
                                    ResultField("row", .integer, role: .gridIndex, meaning: "row"),
                                    ResultField("GiZScore", .real, role: .zScore, meaning: "Gi* z-score"),
                                    ResultField("Gi_Bin", .integer, role: .confidenceBin, meaning: "confidence bin")],
                           geometries: geoms, rows: rows)
    }

    /// A density grid on the same cells (10 km): zero in the western half, 2.0 in a block
    /// north-east of the centre, a gentle positive ramp elsewhere.
    static func densityValue(_ col: Int, _ row: Int) -> Float {
        if col < 20 { return 0 }
        if (28...31).contains(col) && (28...31).contains(row) { return 2.0 }
        return 0.05 + Float(col - 20) * 0.01
    }

    static var densityGrid: RasterGrid {
        var v: [Float] = []
        for row in 0..<40 { for col in 0..<40 { v.append(densityValue(col, row)) } }
        var g = RasterGrid(width: 40, height: 40, originX: origin, originY: origin, cellSize: 10_000, crs: crs, values: v)
        g.description = "route density, km per km²"
        return g
    }

    static func densityCentre(_ col: Int, _ row: Int) throws -> XY {
        let t = try Transformer(from: crs, to: .wgs84)
        return try t.transform(XY(origin + (Double(col) + 0.5) * 10_000, origin + (Double(row) + 0.5) * 10_000))
    }

    /// The colour of a georeferenced picture at a lon/lat, read by GDAL's own tool through the
    /// world file and .aux.xml (as a user would).
    static func colour(_ png: String, at p: XY) throws -> [Int] {
        let out = try run("/usr/bin/gdallocationinfo", ["-wgs84", "-valonly", png, "\(p.x)", "\(p.y)"])
        return out.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    @discardableResult
    static func run(_ tool: String, _ args: [String], environment: [String: String] = [:]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let pipe = Pipe(), err = Pipe()
        p.standardOutput = pipe; p.standardError = err
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let edata = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else {
            throw GeoError(.invalidArgument, "\(tool) failed (\(p.terminationStatus)): \(text) \(String(decoding: edata, as: UTF8.self))")
        }
        return text
    }

    static func hex(_ s: String) -> [Int] {
        let c = RGBA(hex: s)
        return [Int((c.r * 255).rounded()), Int((c.g * 255).rounded()), Int((c.b * 255).rounded()), 255]
    }

    static let extent = "62.3,39.2,67.3,42.8"
}
