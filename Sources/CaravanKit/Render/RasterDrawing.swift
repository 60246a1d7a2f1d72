internal import CGDAL
import Foundation

/// Rasters on a map: GDAL warps them onto the picture's own pixel grid (so memory is bounded
/// by the picture, not the raster), then each pixel is coloured.
enum RasterDrawing {
    /// The bands of `path` (or an in-memory grid) warped to a `w` × `h` grid covering `world` in `crs`.
    /// Band values come back top row first; `noData` where nothing falls.
    static func warp(path: String?, grid: RasterGrid?, to crs: CRS, world: Envelope, w: Int, h: Int,
                     resampling: String, bands wantBands: Int? = nil) throws -> (bands: [[Float]], noData: Float) {
        GDALRuntime.bootstrap()
        let noData: Float = -3.0e38
        var src: GDALDatasetH?
        var memName: String? = nil
        if let path {
            let (ds, failure) = withGDALError { GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) }
            guard let ds else { throw failure?.error(.open, "GDALOpenEx", file: path) ?? GeoError(.open, "GDAL cannot open the raster", file: path) }
            src = ds
        } else if let grid {
            memName = NSTemporaryDirectory() + "caravan-render-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tif"
            try grid.write(to: memName!, overwrite: true)
            src = GDALOpenEx(memName!, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil)
        }
        guard let src else { throw GeoError(.open, "no raster to draw") }
        defer {
            GDALClose(src)
            if let memName { try? FileManager.default.removeItem(atPath: memName) }
        }
        let n = min(wantBands ?? Int(GDALGetRasterCount(src)), Int(GDALGetRasterCount(src)))
        guard n > 0 else { throw GeoError(.read, "the raster has no bands", file: path) }
        let args = ["-of", "MEM", "-t_srs", crs.wkt, "-te", "\(world.minX)", "\(world.minY)", "\(world.maxX)", "\(world.maxY)",
                    "-ts", "\(w)", "\(h)", "-r", resampling, "-ot", "Float32", "-dstnodata", "\(noData)", "-wo", "NUM_THREADS=2"]

        let out: GDALDatasetH? = try withCStringList(args) { list in
            guard let opts = GDALWarpAppOptionsNew(list, nil) else { throw GeoError(.invalidArgument, "GDAL refused the warp options") }
            defer { GDALWarpAppOptionsFree(opts) }
            var srcs: [GDALDatasetH?] = [src]
            var usageError: Int32 = 0
            let (d, failure) = withGDALError { GDALWarp("", nil, 1, &srcs, opts, &usageError) }
            if d == nil { throw failure?.error(.read, "GDALWarp", file: path) ?? GeoError(.read, "GDAL cannot warp the raster", file: path) }
            return d
        }
        guard let out else { throw GeoError(.read, "GDAL cannot warp the raster", file: path) }
        defer { GDALClose(out) }
        var bands: [[Float]] = []
        for b in 1...n {
            var v = [Float](repeating: noData, count: w * h)
            let band = GDALGetRasterBand(out, Int32(b))
            let err = v.withUnsafeMutableBytes { GDALRasterIO(band, GF_Read, 0, 0, Int32(w), Int32(h), $0.baseAddress, Int32(w), Int32(h), GDT_Float32, 0, 0) }
            guard err == CE_None else { throw GeoError(.read, "cannot read the warped raster", library: .gdal, file: path) }
            bands.append(v)
        }
        // Alpha: an RGBA (or gray+alpha) source's last band.
        return (bands, noData)
    }

    /// Band 1 of a raster for classification: whole up to `maxCells`, else read decimated by
    /// GDAL to about `maxCells` (so a huge raster costs the memory of a picture, not of itself).
    /// `cellsPerValue` is how many source cells each value stands for (1 when read whole).
    static func sample(_ path: String, maxCells: Int = 4_000_000) throws -> (grid: RasterGrid, cellsPerValue: Double, hasCRS: Bool) {
        GDALRuntime.bootstrap()
        let (ds, failure) = withGDALError { GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) }
        guard let ds else { throw failure?.error(.open, "GDALOpenEx", file: path) ?? GeoError(.open, "GDAL cannot open the raster", file: path) }
        defer { GDALClose(ds) }
        let w = Int(GDALGetRasterXSize(ds)), h = Int(GDALGetRasterYSize(ds))
        guard w > 0, h > 0, GDALGetRasterCount(ds) > 0 else { throw GeoError(.read, "the raster has no cells", file: path) }
        var gt = [Double](repeating: 0, count: 6)
        _ = GDALGetGeoTransform(ds, &gt)
        var crs = CRS.wgs84
        let srs = GDALGetSpatialRef(ds)
        if let srs {
            var out: UnsafeMutablePointer<CChar>? = nil
            _ = withCStringList(["FORMAT=WKT2_2019"]) { OSRExportToWktEx(srs, &out, constList($0)) }
            if let out { crs = try CRS(String(cString: out)); VSIFree(out) }
        }
        let f = max(1, (Double(w * h) / Double(maxCells)).squareRoot())
        let bw = max(1, Int(Double(w) / f)), bh = max(1, Int(Double(h) / f))
        let band = GDALGetRasterBand(ds, 1)
        var v = [Float](repeating: 0, count: bw * bh)
        let err = v.withUnsafeMutableBytes { GDALRasterIO(band, GF_Read, 0, 0, Int32(w), Int32(h), $0.baseAddress, Int32(bw), Int32(bh), GDT_Float32, 0, 0) }
        guard err == CE_None else { throw GeoError(.read, "cannot read the raster", library: .gdal, operation: "GDALRasterIO", file: path) }
        var hasNoData: Int32 = 0
        let nd = GDALGetRasterNoDataValue(band, &hasNoData)
        var g = RasterGrid(width: bw, height: bh, originX: gt[0], originY: gt[3] + Double(h) * gt[5], cellSize: abs(gt[1]) * Double(w) / Double(bw),
                           crs: crs, values: v)
        g.noData = hasNoData != 0 ? Float(nd) : -.greatestFiniteMagnitude
        g.description = String(cString: GDALGetDescription(band))
        return (g, Double(w * h) / Double(bw * bh), srs != nil)
    }

    /// The colour interpretation of each band of `path` (to find the alpha band of imagery).
    static func colourInterpretations(_ path: String) -> [String] {
        GDALRuntime.bootstrap()
        guard let ds = GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) else { return [] }
        defer { GDALClose(ds) }
        return (1...max(1, Int(GDALGetRasterCount(ds)))).map { String(cString: GDALGetColorInterpretationName(GDALGetRasterColorInterpretation(GDALGetRasterBand(ds, Int32($0))))) }
    }

    /// Premultiplied ARGB32 of a graduated raster: class colours, transparent at ≤ 0 and NoData.
    static func classify(_ v: [Float], noData: Float, sourceNoData: Float?, breaks: [Double], colours: [RGBA],
                         counts: inout [Int]) -> [UInt32] {
        let packed = colours.map { c -> UInt32 in
            let a = c.a
            return UInt32(a * 255) << 24 | UInt32(c.r * a * 255) << 16 | UInt32(c.g * a * 255) << 8 | UInt32(c.b * a * 255)
        }
        var out = [UInt32](repeating: 0, count: v.count)
        if counts.count < breaks.count { counts = [Int](repeating: 0, count: breaks.count) }
        for i in 0..<v.count {
            let x = v[i]
            if x == noData || x == sourceNoData || !(x > 0) { continue }
            if let c = LayerStyle.classIndex(Double(x), breaks: breaks) { out[i] = packed[c] }
        }
        return out
    }

    /// Premultiplied ARGB32 of imagery (1, 3 or 4 bands; the last band of 2 or 4 is alpha).
    static func imagery(_ bands: [[Float]], noData: Float, hasAlpha: Bool) -> [UInt32] {
        let n = bands[0].count
        var out = [UInt32](repeating: 0, count: n)
        let colourBands = hasAlpha ? bands.count - 1 : bands.count
        for i in 0..<n {
            if bands[0][i] == noData { continue }
            let r = bands[0][i], g = colourBands >= 3 ? bands[1][i] : r, b = colourBands >= 3 ? bands[2][i] : r
            let a = hasAlpha ? bands[bands.count - 1][i] / 255 : 1
            func c(_ x: Float) -> UInt32 { UInt32(max(0, min(255, x * a))) }
            out[i] = UInt32(max(0, min(255, a * 255))) << 24 | c(r) << 16 | c(g) << 8 | c(b)
        }
        return out
    }
}

/// The files that make a PNG map a georeferenced picture: a world file and a `.aux.xml` with
/// the CRS, so GDAL (`gdallocationinfo -wgs84`) and QGIS place it on the ground.
enum Georeference {
    static func worldFilePath(_ png: String) -> String { (png as NSString).deletingPathExtension + ".pgw" }

    static func write(png: String, view: MapView) throws {
        let res = 1 / view.k
        // The centre of the top-left pixel.
        let x0 = view.world.minX + (0.5 - view.frame.x) * res
        let y0 = view.world.maxY - (0.5 - view.frame.y) * res
        let world = String(format: "%.10f\n0.0\n0.0\n%.10f\n%.10f\n%.10f\n", res, -res, x0, y0)
        let aux = """
        <PAMDataset>
          <SRS dataAxisToSRSAxisMapping="1,2">\(xmlEscape(view.crs.wkt))</SRS>
        </PAMDataset>

        """
        do {
            try world.write(toFile: worldFilePath(png), atomically: true, encoding: .utf8)
            try aux.write(toFile: png + ".aux.xml", atomically: true, encoding: .utf8)
        } catch {
            throw GeoError(.write, "cannot write the world file beside the map: \(error.localizedDescription)", file: png)
        }
    }

    static func xmlEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
