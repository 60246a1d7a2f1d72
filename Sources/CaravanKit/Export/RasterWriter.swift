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
        let driver = try GDALCall("GDALGetDriverByName", .write, file: path).pointer { GDALGetDriverByName("GTiff") }
        let options = ["COMPRESS=DEFLATE", "TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "PREDICTOR=3", "BIGTIFF=IF_SAFER"]
        let ds = try GDALCall("GDALCreate", .write, file: path).pointer {
            withCStringList(options) { GDALCreate(driver, output.temporaryPath, Int32(width), Int32(height), 1, GDT_Float32, $0) }
        }
        var closed = false
        defer { if !closed { GDALClose(ds) } }
        var gt = [originX, cellSize, 0, originY + Double(height) * cellSize, 0, -cellSize]
        let srs = try VectorWriter.spatialReference(crs)
        defer { OSRRelease(srs) }
        let band = try GDALCall("GDALGetRasterBand", .write, file: path).pointer { GDALGetRasterBand(ds, 1) }
        // A GeoTIFF that lost its georeferencing or NoData would map wrongly without a word: check each.
        try GDALCall("GDALSetGeoTransform", .write, file: path).cplErr { GDALSetGeoTransform(ds, &gt) }
        try GDALCall("GDALSetSpatialRef", .write, file: path).cplErr { GDALSetSpatialRef(ds, srs) }
        try GDALCall("GDALSetRasterNoDataValue", .write, file: path).cplErr { GDALSetRasterNoDataValue(band, Double(noData)) }
        if !description.isEmpty { GDALSetDescription(band, description) }
        // Flip rows: GeoTIFF's first row is the northernmost.
        var flipped = [Float](repeating: noData, count: values.count)
        for r in 0..<height {
            let src = (height - 1 - r) * width
            flipped.replaceSubrange((r * width)..<((r + 1) * width), with: values[src..<(src + width)])
        }
        try GDALCall("GDALRasterIO", .write, file: path).cplErr {
            flipped.withUnsafeMutableBytes { GDALRasterIO(band, GF_Write, 0, 0, Int32(width), Int32(height), $0.baseAddress, Int32(width), Int32(height), GDT_Float32, 0, 0) }
        }
        // Statistics let QGIS stretch the band at once; a grid of NoData only has none to compute.
        if values.contains(where: { $0 != noData && !$0.isNaN }) {
            try GDALCall("GDALComputeRasterStatistics", .write, file: path).cplErr { GDALComputeRasterStatistics(band, 0, nil, nil, nil, nil, nil, nil) }
        }
        closed = true
        try GDALCall("GDALClose", .write, file: path).status { GDALClose(ds) }
        try output.commit()
    }
}

extension RasterGrid {
    /// Reads band 1 of a north-up raster (any GDAL format) back into a grid, bottom row first.
    public static func read(_ path: String) throws -> RasterGrid {
        GDALRuntime.bootstrap()
        let ds = try GDALCall("GDALOpenEx", .open, file: path).pointer { GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) }
        defer { GDALClose(ds) }
        var gt = [Double](repeating: 0, count: 6)
        guard GDALGetGeoTransform(ds, &gt) == CE_None, gt[2] == 0, gt[4] == 0, abs(gt[1] + gt[5]) < 1e-9 * abs(gt[1]) else {
            throw GeoError(.unsupported, "only north-up rasters with square pixels are read", file: path)
        }
        let w = Int(GDALGetRasterXSize(ds)), h = Int(GDALGetRasterYSize(ds))
        var crs = CRS.wgs84
        if let srs = GDALGetSpatialRef(ds) {
            var out: UnsafeMutablePointer<CChar>? = nil
            try GDALCall("OSRExportToWktEx", .read, file: path).ogrErr { withCStringList(["FORMAT=WKT2_2019"]) { OSRExportToWktEx(srs, &out, constList($0)) } }
            if let out { defer { VSIFree(out) }; crs = try CRS(String(cString: out)) }
        }
        let band = try GDALCall("GDALGetRasterBand", .read, file: path).pointer { GDALGetRasterBand(ds, 1) }
        var top = [Float](repeating: 0, count: w * h)
        try GDALCall("GDALRasterIO", .read, file: path).cplErr {
            top.withUnsafeMutableBytes { GDALRasterIO(band, GF_Read, 0, 0, Int32(w), Int32(h), $0.baseAddress, Int32(w), Int32(h), GDT_Float32, 0, 0) }
        }
        var values = [Float](repeating: 0, count: w * h)
        for r in 0..<h { values.replaceSubrange((r * w)..<((r + 1) * w), with: top[((h - 1 - r) * w)..<((h - r) * w)]) }
        var hasNoData: Int32 = 0
        let nd = GDALGetRasterNoDataValue(band, &hasNoData)
        var g = RasterGrid(width: w, height: h, originX: gt[0], originY: gt[3] + Double(h) * gt[5], cellSize: gt[1], crs: crs, values: values)
        if hasNoData != 0 { g.noData = Float(nd) }
        return g
    }
}
