internal import CGDAL
import Foundation

/// A single-band Float32 GeoTIFF on an aligned square grid, written safely (temporary file,
/// then rename): DEFLATE, tiled, predictor 3, NoData set, georeferenced in `crs`.
///
/// `values` are row-major from the grid's bottom row (row index grows northwards, as grid rows
/// do); they are written top row first, as GeoTIFF wants.
public struct RasterGrid: Sendable {
    public var width: Int
    public var height: Int
    /// Lower-left corner and cell size in CRS units.
    public var originX: Double
    public var originY: Double
    public var cellSize: Double
    public var crs: CRS
    public var values: [Float]
    public var noData: Float = -9999
    public var description: String = ""

    public init(width: Int, height: Int, originX: Double, originY: Double, cellSize: Double, crs: CRS, values: [Float]) {
        self.width = width; self.height = height; self.originX = originX; self.originY = originY
        self.cellSize = cellSize; self.crs = crs; self.values = values
    }

    public func write(to path: String, overwrite: Bool = false, inputs: [String] = []) throws {
        GDALRuntime.bootstrap()
        let output = try SafeOutput(target: path, overwrite: overwrite, inputs: inputs)
        guard let driver = GDALGetDriverByName("GTiff") else { throw GeoError(.write, "the GTiff driver is missing", file: path) }
        let options = ["COMPRESS=DEFLATE", "TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "PREDICTOR=3", "BIGTIFF=IF_SAFER"]
        let (ds, failure) = withGDALError {
            withCStringList(options) { GDALCreate(driver, output.temporaryPath, Int32(width), Int32(height), 1, GDT_Float32, $0) }
        }
        guard let ds else { throw failure?.error(.write, "GDALCreate", file: path) ?? GeoError(.write, "cannot create the GeoTIFF", file: path) }
        var closed = false
        defer { if !closed { GDALClose(ds) } }
        var gt = [originX, cellSize, 0, originY + Double(height) * cellSize, 0, -cellSize]
        let srs = try VectorWriter.spatialReference(crs)
        defer { OSRRelease(srs) }
        guard let band = GDALGetRasterBand(ds, 1) else { throw GeoError(.write, "the GeoTIFF has no band", library: .gdal, operation: "GDALGetRasterBand", file: path) }
        // A GeoTIFF that lost its georeferencing or NoData would map wrongly without a word: check each.
        for (operation, call) in [("GDALSetGeoTransform", { GDALSetGeoTransform(ds, &gt) }),
                                  ("GDALSetSpatialRef", { GDALSetSpatialRef(ds, srs) }),
                                  ("GDALSetRasterNoDataValue", { GDALSetRasterNoDataValue(band, Double(noData)) })] {
            let (err, failure) = withGDALError(call)
            if err != CE_None {
                throw failure?.error(.write, operation, file: path) ?? GeoError(.write, "\(operation) failed", library: .gdal, operation: operation, file: path)
            }
        }
        if !description.isEmpty { GDALSetDescription(band, description) }
        // Flip rows: GeoTIFF's first row is the northernmost.
        var flipped = [Float](repeating: noData, count: values.count)
        for r in 0..<height {
            let src = (height - 1 - r) * width
            flipped.replaceSubrange((r * width)..<((r + 1) * width), with: values[src..<(src + width)])
        }
        let (err, wfail) = withGDALError {
            flipped.withUnsafeMutableBytes { GDALRasterIO(band, GF_Write, 0, 0, Int32(width), Int32(height), $0.baseAddress, Int32(width), Int32(height), GDT_Float32, 0, 0) }
        }
        if err != CE_None { throw wfail?.error(.write, "GDALRasterIO", file: path) ?? GeoError(.write, "cannot write the raster", file: path) }
        // Statistics let QGIS stretch the band at once; a grid of NoData only has none to compute.
        if values.contains(where: { $0 != noData && !$0.isNaN }) {
            let (serr, sfail) = withGDALError { GDALComputeRasterStatistics(band, 0, nil, nil, nil, nil, nil, nil) }
            if serr != CE_None {
                throw sfail?.error(.write, "GDALComputeRasterStatistics", file: path)
                    ?? GeoError(.write, "cannot compute the raster's statistics", library: .gdal, operation: "GDALComputeRasterStatistics", file: path)
            }
        }
        let (_, cfail) = withGDALError { GDALClose(ds) }
        closed = true
        if let cfail { throw cfail.error(.write, "GDALClose", file: path) }
        try output.commit()
    }
}

extension RasterGrid {
    /// Reads band 1 of a north-up raster (any GDAL format) back into a grid, bottom row first.
    public static func read(_ path: String) throws -> RasterGrid {
        GDALRuntime.bootstrap()
        let (ds, failure) = withGDALError { GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) }
        guard let ds else { throw failure?.error(.open, "GDALOpenEx", file: path) ?? GeoError(.open, "cannot open the raster", file: path) }
        defer { GDALClose(ds) }
        var gt = [Double](repeating: 0, count: 6)
        guard GDALGetGeoTransform(ds, &gt) == CE_None, gt[2] == 0, gt[4] == 0, abs(gt[1] + gt[5]) < 1e-9 * abs(gt[1]) else {
            throw GeoError(.unsupported, "only north-up rasters with square pixels are read", file: path)
        }
        let w = Int(GDALGetRasterXSize(ds)), h = Int(GDALGetRasterYSize(ds))
        var crs = CRS.wgs84
        if let srs = GDALGetSpatialRef(ds) {
            var out: UnsafeMutablePointer<CChar>? = nil
            _ = withCStringList(["FORMAT=WKT2_2019"]) { OSRExportToWktEx(srs, &out, constList($0)) }
            if let out { crs = try CRS(String(cString: out)); VSIFree(out) }
        }
        let band = GDALGetRasterBand(ds, 1)
        var top = [Float](repeating: 0, count: w * h)
        let err = top.withUnsafeMutableBytes { GDALRasterIO(band, GF_Read, 0, 0, Int32(w), Int32(h), $0.baseAddress, Int32(w), Int32(h), GDT_Float32, 0, 0) }
        guard err == CE_None else { throw GeoError(.read, "cannot read the raster", library: .gdal, operation: "GDALRasterIO", file: path) }
        var values = [Float](repeating: 0, count: w * h)
        for r in 0..<h { values.replaceSubrange((r * w)..<((r + 1) * w), with: top[((h - 1 - r) * w)..<((h - r) * w)]) }
        var hasNoData: Int32 = 0
        let nd = GDALGetRasterNoDataValue(band, &hasNoData)
        var g = RasterGrid(width: w, height: h, originX: gt[0], originY: gt[3] + Double(h) * gt[5], cellSize: gt[1], crs: crs, values: values)
        if hasNoData != 0 { g.noData = Float(nd) }
        return g
    }
}
