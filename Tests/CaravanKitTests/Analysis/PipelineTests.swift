import Foundation
import Testing
@testable import CaravanKit

/// The worker pipeline: results merged in batch order (the same bits whatever the number of
/// workers), per-worker state made once, errors from a worker naming the feature.
@Suite("Pipeline: worker-count independence, worker errors")
struct PipelineTests {
    /// 600 lon/lat lines of 400 vertices (240,000 vertices: four batches of 65,536 and more),
    /// wandering over a 60 km box so every 5 km cell sums pieces from every batch.
    static func wanderingLines(_ dir: TempDir, badVertexInFeature bad: Int? = nil) throws -> String {
        let path = dir.file("lines.gpkg")
        let w = try VectorWriter(path: path, geometryType: .lineString, crs: .wgs84, fields: [FieldDefinition("trips", .real)])
        var rng = SeededRNG(seed: 11)
        for f in 0..<600 {
            var p = XY(69 + Double.random(in: 0...0.7, using: &rng), 41 + Double.random(in: 0...0.5, using: &rng))
            var pts: [XY] = []
            for _ in 0..<400 {
                p = XY(min(69.7, max(69, p.x + Double.random(in: -0.01...0.01, using: &rng))),
                       min(41.5, max(41, p.y + Double.random(in: -0.01...0.01, using: &rng))))
                pts.append(p)
            }
            if f == bad { pts[217] = XY(-110.7, -41.2) }   // the antipode: off the orthographic map
            try w.write(geometry: .lineString(pts), values: [.real(Double.random(in: 0.1...3.7, using: &rng))])
        }
        try w.commit()
        return path
    }

    static func density(_ path: String, workers: Int, studyArea: Geometry? = nil, crs: CRS? = nil) throws -> DensityGrid {
        var o = LineDensityOptions(tessellation: .square(size: 5000))
        o.crs = crs
        o.weightField = "trips"
        o.workers = workers
        o.studyArea = studyArea
        return try lineDensity(Dataset.open(path).layer(named: nil), options: o)
    }

    @Test("density of 240,000 vertices: 1, 2 and 3 workers give bit-identical grids and GeoJSON")
    func sameBitsWhateverTheWorkers() throws {
        let dir = TempDir()
        let path = try Self.wanderingLines(dir)
        let grids = try [1, 2, 3].map { try Self.density(path, workers: $0) }
        let one = grids[0]
        #expect(one.features == 600)
        #expect(one.nonEmptyCells.count > 50)          // many cells, each summing many batches
        for g in grids.dropFirst() {
            #expect(g.length.map(\.bitPattern) == one.length.map(\.bitPattern))
            #expect(g.weighted.map(\.bitPattern) == one.weighted.map(\.bitPattern))
            #expect(g.routes == one.routes)
            #expect(g.networkLength.bitPattern == one.networkLength.bitPattern)
        }
        var bytes: [Data] = []
        for (k, g) in grids.enumerated() {
            let out = dir.file("d\(k).geojson")
            try ResultWriter.write(try g.resultLayer(keepEmpty: false, densifyForWGS84: true), to: out)
            bytes.append(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        #expect(bytes[1] == bytes[0] && bytes[2] == bytes[0])
        // The network's length is the sum of its segments (the merge lost nothing).
        #expect(abs(one.totalLength - one.networkLength) <= 1e-6 * one.networkLength)
    }

    @Test("a vertex PROJ cannot project, in a later batch on a worker: the error names file, layer, feature and vertex")
    func workerErrorNamesTheFeature() throws {
        let dir = TempDir()
        let path = try Self.wanderingLines(dir, badVertexInFeature: 450)
        // With a study area the grid comes from the area, so the bad vertex is met only by the
        // worker projecting its batch (the third) to an orthographic view of the region.
        let area = Geometry.polygon([[XY(68.9, 40.9), XY(69.8, 40.9), XY(69.8, 41.6), XY(68.9, 41.6), XY(68.9, 40.9)]])
        let ortho = try CRS("+proj=ortho +lat_0=41.2 +lon_0=69.3 +datum=WGS84 +units=m")
        #expect {
            try Self.density(path, workers: 2, studyArea: area, crs: ortho)
        } throws: { error in
            guard let e = error as? GeoError else { return false }
            return e.kind == .projection && e.file == path && e.layer == "lines" && e.featureID == 451
                && e.vertex == 218 && e.index == nil
                && e.description.contains("feature 451") && e.description.contains("vertex 218") && !e.description.contains("row")
        }
    }

    @Test("merge receives partial results in batch order, whichever worker finishes first")
    func mergeOrder() throws {
        var merged: [Int] = []
        try runPipeline(
            workers: 3,
            make: { 0 },
            consume: { (n: inout Int, batch: Int) -> Int in
                n += 1
                if batch % 3 == 0 { usleep(3000) }   // the first of every three is the slowest
                return batch
            },
            merge: { merged.append($0) },
            produce: { emit in for b in 0..<60 { try emit(b) } })
        #expect(merged == Array(0..<60))
    }

    @Test("a worker's warnings land in the caller's log")
    func workerWarnings() throws {
        let log = WarningLog()
        try log.collecting {
            try runPipeline(workers: 2, make: { () }, consume: { (_: inout Void, b: Int) in warn("batch \(b)") },
                            merge: { _ in }, produce: { emit in for b in 0..<4 { try emit(b) } })
        }
        #expect(Set(log.messages) == ["batch 0", "batch 1", "batch 2", "batch 3"])
        #expect(WarningLog.current == nil)
    }

    @Test("option keys in library text become the CLI's flags or a recipe's keys; other braces stay")
    func optionKeys() {
        let text = "give it with {sSrs} (e.g. {sSrs} EPSG:4326), or {restoreShx}; {Not} {a b} {} {"
        #expect(OptionKeys.render(text, OptionKeys.flag) == "give it with --s-srs (e.g. --s-srs EPSG:4326), or --restore-shx; {Not} {a b} {} {")
        #expect(OptionKeys.render("{studyArea}", OptionKeys.kebab) == "study-area")
    }
}
