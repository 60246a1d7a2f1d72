internal import CGDAL
import Foundation

/// A space-time cube as netCDF (CF-1.8), through GDAL's multidimensional API.
///
/// Square cells: `count(time, y, x)` (and `sum`) over the window of the locations, NaN where a
/// cell is not a location; `x`, `y` are cell centres in the analysis CRS, `crs` its grid mapping
/// (`GDALMDArraySetSpatialRef`, written by GDAL as CF `grid_mapping`). Hexagons:
/// `count(time, location)` with `x(location)`, `y(location)` (CF timeSeries). Both: `time`
/// (days since 1970, each step's end) with `time_bnds`, `location_col`/`location_row`, and
/// `caravan_*` attributes from which `read` rebuilds the cube exactly.
public enum NetCDFCube {
    /// A variable written beside the cube's counts: one value per bin (location-major, as the
    /// cube's) on the cube's (time, y, x) or (time, location), or one per location on (y, x) or
    /// (location). Integer variables get `_FillValue` −99 outside the locations, real ones NaN.
    public struct Variable: Sendable {
        public var name: String
        public var values: [Double]
        public var perBin: Bool
        public var integer: Bool
        public var attributes: [(String, String)]
        /// CF `flag_values` (with a `flag_meanings` attribute) of a classified variable.
        public var flagValues: [Double]?
        public init(_ name: String, _ values: [Double], perBin: Bool, integer: Bool = false, attributes: [(String, String)] = [], flagValues: [Double]? = nil) {
            self.name = name; self.values = values; self.perBin = perBin; self.integer = integer
            self.attributes = attributes; self.flagValues = flagValues
        }
    }

    /// Writes the cube (to a temporary file, renamed when complete), with `variables` beside it.
    public static func write(_ cube: SpaceTimeCube, to path: String, overwrite: Bool = false, inputs: [String] = [], variables extra: [Variable] = []) throws {
        GDALRuntime.bootstrap()
        let safe = try SafeOutput(target: path, overwrite: overwrite, inputs: inputs)
        try writeFile(cube, to: safe.temporaryPath, reportedAs: path, extra: extra)
        try safe.commit()
    }

    private final class Handles {
        var dims: [OpaquePointer] = []
        var arrays: [OpaquePointer] = []
        var attributes: [OpaquePointer] = []
        var types: [OpaquePointer] = []
        deinit {
            attributes.forEach { GDALAttributeRelease($0) }
            arrays.forEach { GDALMDArrayRelease($0) }
            dims.forEach { GDALDimensionRelease($0) }
            types.forEach { GDALExtendedDataTypeRelease($0) }
        }
    }

    private static func writeFile(_ cube: SpaceTimeCube, to tmp: String, reportedAs path: String, extra: [Variable]) throws {
        func fail(_ what: String) -> GeoError {
            let msg = String(cString: CPLGetLastErrorMsg())
            return GeoError(.write, "\(what) failed\(msg.isEmpty ? "" : ": " + msg)", library: .gdal, file: path)
        }
        guard let driver = GDALGetDriverByName("netCDF") else {
            throw GeoError(.unsupported, "this GDAL has no netCDF driver", file: path, hint: "write the cube to .gpkg instead")
        }
        CPLErrorReset()
        let opts = ["FORMAT=NC4"]
        guard let ds = withCStringList(opts, { GDALCreateMultiDimensional(driver, tmp, nil, $0) }) else { throw fail("creating the netCDF file") }
        var closed = false
        defer { if !closed { GDALClose(ds) } }
        guard let root = GDALDatasetGetRootGroup(ds) else { throw fail("opening the root group") }
        defer { GDALGroupRelease(root) }
        let h = Handles()
        guard let double = GDALExtendedDataTypeCreate(GDT_Float64), let int32 = GDALExtendedDataTypeCreate(GDT_Int32),
              let string = GDALExtendedDataTypeCreateString(0) else { throw fail("creating the data types") }
        h.types += [double, int32, string]
        let srs = OSRNewSpatialReference(cube.crs.wkt)
        defer { if let srs { OSRDestroySpatialReference(srs) } }
        if let srs { OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER) }

        func dimension(_ name: String, _ type: String?, _ dir: String?, _ size: Int) throws -> OpaquePointer {
            guard let d = GDALGroupCreateDimension(root, name, type, dir, UInt64(size), nil) else { throw fail("creating dimension \(name)") }
            h.dims.append(d); return d
        }
        func array(_ name: String, _ dims: [OpaquePointer], _ type: OpaquePointer) throws -> OpaquePointer {
            var ds: [OpaquePointer?] = dims
            guard let a = ds.withUnsafeMutableBufferPointer({ GDALGroupCreateMDArray(root, name, dims.count, $0.baseAddress, type, nil) }) else {
                throw fail("creating variable \(name)")
            }
            h.arrays.append(a); return a
        }
        func attr(_ a: OpaquePointer?, _ name: String, _ value: String) throws {
            let at = a.map { GDALMDArrayCreateAttribute($0, name, 0, nil, string, nil) } ?? GDALGroupCreateAttribute(root, name, 0, nil, string, nil)
            guard let at, GDALAttributeWriteString(at, value) != 0 else { throw fail("writing attribute \(name)") }
            h.attributes.append(at)
        }
        func attr(_ a: OpaquePointer?, _ name: String, _ value: Double) throws {
            let at = a.map { GDALMDArrayCreateAttribute($0, name, 0, nil, double, nil) } ?? GDALGroupCreateAttribute(root, name, 0, nil, double, nil)
            guard let at, GDALAttributeWriteDouble(at, value) != 0 else { throw fail("writing attribute \(name)") }
            h.attributes.append(at)
        }
        func write(_ a: OpaquePointer, _ values: [Double], _ shape: [Int]) throws {
            var start = [UInt64](repeating: 0, count: shape.count), count = shape
            let ok = values.withUnsafeBytes { buf in
                GDALMDArrayWrite(a, &start, &count, nil, nil, double, buf.baseAddress, buf.baseAddress, buf.count)
            }
            guard ok != 0 else { throw fail("writing values") }
        }
        func flags(_ a: OpaquePointer, _ values: [Double]) throws {
            var size: UInt64 = UInt64(values.count)
            guard let at = GDALMDArrayCreateAttribute(a, "flag_values", 1, &size, int32, nil),
                  values.withUnsafeBufferPointer({ GDALAttributeWriteDoubleArray(at, $0.baseAddress, values.count) }) != 0 else {
                throw fail("writing attribute flag_values")
            }
            h.attributes.append(at)
        }
        /// An extra variable on `dims`, its values placed by `place` (value index → array index).
        func extraVariable(_ v: Variable, _ dims: [OpaquePointer], _ shape: [Int], place: (Int) -> Int) throws {
            let total = shape.reduce(1, *)
            let a = try array(v.name, dims, v.integer ? int32 : double)
            if v.integer {
                var grid = [Int32](repeating: -99, count: total)
                for (k, x) in v.values.enumerated() { grid[place(k)] = x.isNaN ? -99 : Int32(x) }
                _ = GDALMDArraySetNoDataValueAsDouble(a, -99)
                for (name, value) in v.attributes { try attr(a, name, value) }
                if let f = v.flagValues { try flags(a, f) }
                if let srs { _ = GDALMDArraySetSpatialRef(a, srs) }
                try write(a, ints: grid, shape)
            } else {
                var grid = [Double](repeating: .nan, count: total)
                for (k, x) in v.values.enumerated() { grid[place(k)] = x }
                _ = GDALMDArraySetNoDataValueAsDouble(a, .nan)
                for (name, value) in v.attributes { try attr(a, name, value) }
                if let srs { _ = GDALMDArraySetSpatialRef(a, srs) }
                try write(a, grid, shape)
            }
        }
        func write(_ a: OpaquePointer, ints values: [Int32], _ shape: [Int]) throws {
            var start = [UInt64](repeating: 0, count: shape.count), count = shape
            let ok = values.withUnsafeBytes { buf in
                GDALMDArrayWrite(a, &start, &count, nil, nil, int32, buf.baseAddress, buf.baseAddress, buf.count)
            }
            guard ok != 0 else { throw fail("writing values") }
        }

        let T = cube.stepCount, L = cube.locations.count
        // Global attributes.
        try attr(nil, "Conventions", "CF-1.8")
        try attr(nil, "title", "Space-time cube of \(cube.events) events: \(L) locations × \(T) steps of \(cube.steps.step)")
        try attr(nil, "source", "caravan cube (Create Space Time Cube By Aggregating Points, END_TIME alignment)")
        try attr(nil, "featureType", cube.tessellation.isSquare ? "grid" : "timeSeries")
        switch cube.tessellation {
        case .square(let s): try attr(nil, "caravan_grid", "square"); try attr(nil, "caravan_cell_side_m", s)
        case .hexagon(let a): try attr(nil, "caravan_grid", "hex"); try attr(nil, "caravan_cell_side_m", a)
        }
        switch cube.steps.step {
        case .days(let n): try attr(nil, "caravan_step", "\(n) days")
        case .months(let n): try attr(nil, "caravan_step", "\(n) months")
        }
        try attr(nil, "caravan_first_event", Double(cube.firstTime))
        try attr(nil, "caravan_last_event", Double(cube.lastTime))
        try attr(nil, "caravan_events", Double(cube.events))
        try attr(nil, "caravan_crs_wkt", cube.crs.wkt)
        if let w = cube.weightField { try attr(nil, "caravan_weight_field", w) }

        // Time.
        let time = try dimension("time", "TEMPORAL", nil, T)
        let nv = try dimension("nv", nil, nil, 2)
        let tv = try array("time", [time], double)
        try attr(tv, "standard_name", "time"); try attr(tv, "long_name", "end of the time step (steps are closed on the right)")
        try attr(tv, "units", "days since 1970-01-01 00:00:00"); try attr(tv, "calendar", "standard"); try attr(tv, "axis", "T")
        try attr(tv, "bounds", "time_bnds")
        try write(tv, (0..<T).map { Double(cube.steps.breaks[$0 + 1]) / 86_400 }, [T])
        let tb = try array("time_bnds", [time, nv], double)
        try write(tb, (0..<T).flatMap { [Double(cube.steps.breaks[$0]) / 86_400, Double(cube.steps.breaks[$0 + 1]) / 86_400] }, [T, 2])


        // Locations.
        let loc = try dimension("location", nil, nil, L)
        let lc = try array("location_col", [loc], int32), lr = try array("location_row", [loc], int32)
        try attr(lc, "long_name", "column of the cell in the aligned grid"); try attr(lr, "long_name", "row of the cell in the aligned grid")
        try write(lc, ints: cube.locations.map { Int32($0.col) }, [L])
        try write(lr, ints: cube.locations.map { Int32($0.row) }, [L])

        var variables: [(String, [Double], String)] = [("count", cube.counts, "number of events in the bin")]
        if let s = cube.sums { variables.append(("sum", s, "sum of \(cube.weightField ?? "the weight") in the bin")) }
        switch cube.tessellation {
        case .square(let side):
            let cols = cube.locations.map(\.col), rows = cube.locations.map(\.row)
            guard let c0 = cols.min(), let c1 = cols.max(), let r0 = rows.min(), let r1 = rows.max() else { throw fail("the cube has no locations") }
            let W = c1 - c0 + 1, H = r1 - r0 + 1
            let y = try dimension("y", "HORIZONTAL_Y", "NORTH", H), x = try dimension("x", "HORIZONTAL_X", "EAST", W)
            let yv = try array("y", [y], double), xv = try array("x", [x], double)
            try attr(yv, "standard_name", "projection_y_coordinate"); try attr(yv, "units", "m"); try attr(yv, "axis", "Y")
            try attr(xv, "standard_name", "projection_x_coordinate"); try attr(xv, "units", "m"); try attr(xv, "axis", "X")
            try write(yv, (0..<H).map { (Double(r0 + $0) + 0.5) * side }, [H])
            try write(xv, (0..<W).map { (Double(c0 + $0) + 0.5) * side }, [W])
            for (name, values, meaning) in variables {
                var grid = [Double](repeating: .nan, count: T * H * W)
                for (i, c) in cube.locations.enumerated() {
                    let o = (c.row - r0) * W + (c.col - c0)
                    for t in 0..<T { grid[t * H * W + o] = values[i * T + t] }
                }
                let v = try array(name, [time, y, x], double)
                _ = GDALMDArraySetNoDataValueAsDouble(v, .nan)
                try attr(v, "long_name", meaning)
                try attr(v, "units", name == "count" ? "1" : "1")
                if let srs { _ = GDALMDArraySetSpatialRef(v, srs) }
                try write(v, grid, [T, H, W])
            }
            let offsets = cube.locations.map { ($0.row - r0) * W + ($0.col - c0) }
            for v in extra {
                if v.perBin {
                    try extraVariable(v, [time, y, x], [T, H, W]) { k in (k % T) * H * W + offsets[k / T] }
                } else {
                    try extraVariable(v, [y, x], [H, W]) { offsets[$0] }
                }
            }
        case .hexagon:
            let xv = try array("x", [loc], double), yv = try array("y", [loc], double)
            try attr(xv, "standard_name", "projection_x_coordinate"); try attr(xv, "units", "m")
            try attr(yv, "standard_name", "projection_y_coordinate"); try attr(yv, "units", "m")
            let centres = cube.positions
            try write(xv, centres.map(\.x), [L]); try write(yv, centres.map(\.y), [L])
            for (name, values, meaning) in variables {
                var tl = [Double](repeating: 0, count: T * L)
                for i in 0..<L { for t in 0..<T { tl[t * L + i] = values[i * T + t] } }
                let v = try array(name, [time, loc], double)
                try attr(v, "long_name", meaning)
                try attr(v, "coordinates", "time x y")
                if let srs { _ = GDALMDArraySetSpatialRef(v, srs) }
                try write(v, tl, [T, L])
            }
            for v in extra {
                var e = v
                e.attributes.append(("coordinates", v.perBin ? "time x y" : "x y"))
                if v.perBin {
                    try extraVariable(e, [time, loc], [T, L]) { k in (k % T) * L + k / T }
                } else {
                    try extraVariable(e, [loc], [L]) { $0 }
                }
            }
        }
        withExtendedLifetime(h) {}
        closed = true
        GDALClose(ds)
        if CPLGetLastErrorType() == CE_Failure { throw fail("closing the netCDF file") }
    }

    /// Reads a cube written by `write`.
    public static func read(_ path: String) throws -> SpaceTimeCube {
        GDALRuntime.bootstrap()
        func fail(_ what: String, hint: String? = "it must be a cube written by 'caravan cube'") -> GeoError {
            GeoError(.read, what, file: path, hint: hint)
        }
        guard let ds = GDALOpenEx(path, UInt32(GDAL_OF_MULTIDIM_RASTER), nil, nil, nil) else {
            throw GeoError(.open, "cannot open the cube: \(String(cString: CPLGetLastErrorMsg()))", library: .gdal, file: path)
        }
        defer { GDALClose(ds) }
        guard let root = GDALDatasetGetRootGroup(ds) else { throw fail("no root group") }
        defer { GDALGroupRelease(root) }
        func attribute(_ name: String) -> OpaquePointer? { GDALGroupGetAttribute(root, name) }
        func string(_ name: String) throws -> String {
            guard let a = attribute(name) else { throw fail("no attribute \(name)") }
            defer { GDALAttributeRelease(a) }
            guard let s = GDALAttributeReadAsString(a) else { throw fail("attribute \(name) is not text") }
            return String(cString: s)
        }
        func number(_ name: String) throws -> Double {
            guard let a = attribute(name) else { throw fail("no attribute \(name)") }
            defer { GDALAttributeRelease(a) }
            return GDALAttributeReadAsDouble(a)
        }
        guard let double = GDALExtendedDataTypeCreate(GDT_Float64) else { throw fail("creating the data types") }
        defer { GDALExtendedDataTypeRelease(double) }
        func values(_ name: String, _ count: Int) throws -> [Double]? {
            guard let a = GDALGroupOpenMDArray(root, name, nil) else { return nil }
            defer { GDALMDArrayRelease(a) }
            var n = 0
            guard let dims = GDALMDArrayGetDimensions(a, &n) else { throw fail("variable \(name) has no dimensions") }
            var shape: [Int] = []
            for k in 0..<n { shape.append(Int(GDALDimensionGetSize(dims[k]))) }
            GDALReleaseDimensions(dims, n)
            guard shape.reduce(1, *) == count else { throw fail("variable \(name) has \(shape.reduce(1, *)) values, expected \(count)") }
            var out = [Double](repeating: 0, count: count)
            var start = [UInt64](repeating: 0, count: n)
            let ok = out.withUnsafeMutableBytes { buf in
                GDALMDArrayRead(a, &start, &shape, nil, nil, double, buf.baseAddress, buf.baseAddress, buf.count)
            }
            guard ok != 0 else { throw fail("cannot read variable \(name)") }
            return out
        }
        let grid = try string("caravan_grid"), side = try number("caravan_cell_side_m")
        let tess: Tessellation = grid == "hex" ? .hexagon(side: side) : .square(size: side)
        let stepText = try string("caravan_step")
        let parts = stepText.split(separator: " ")
        guard parts.count == 2, let n = Int(parts[0]) else { throw fail("unreadable caravan_step '\(stepText)'") }
        let step: TimeStep = parts[1] == "months" ? .months(n) : .days(n)
        let first = Int(try number("caravan_first_event")), last = Int(try number("caravan_last_event"))
        let steps = TimeSteps(step: step, first: first, last: last)
        let crs = try CRS(try string("caravan_crs_wkt"))
        let events = Int(try number("caravan_events"))
        let weightField = try? string("caravan_weight_field")
        // Locations.
        var L = 0
        if let a = GDALGroupOpenMDArray(root, "location_col", nil) {
            var n = 0
            if let dims = GDALMDArrayGetDimensions(a, &n) { L = Int(GDALDimensionGetSize(dims[0])); GDALReleaseDimensions(dims, n) }
            GDALMDArrayRelease(a)
        }
        guard L > 0, let cols = try values("location_col", L), let rows = try values("location_row", L) else { throw fail("no locations") }
        let locations = (0..<L).map { CellIndex(col: Int(cols[$0]), row: Int(rows[$0])) }
        let T = steps.count
        guard let time = try values("time", T) else { throw fail("no time variable") }
        for t in 0..<T where abs(time[t] * 86_400 - Double(steps.breaks[t + 1])) > 1 {
            throw fail("the time steps do not match the cube's step and period")
        }
        func binValues(_ name: String) throws -> [Double]? {
            switch tess {
            case .square:
                guard let c0 = locations.map(\.col).min(), let c1 = locations.map(\.col).max(),
                      let r0 = locations.map(\.row).min(), let r1 = locations.map(\.row).max() else { throw fail("no locations") }
                let W = c1 - c0 + 1, H = r1 - r0 + 1
                guard let g = try values(name, T * H * W) else { return nil }
                var out = [Double](repeating: 0, count: L * T)
                for (i, c) in locations.enumerated() {
                    let o = (c.row - r0) * W + (c.col - c0)
                    for t in 0..<T { out[i * T + t] = g[t * H * W + o] }
                }
                return out
            case .hexagon:
                guard let g = try values(name, T * L) else { return nil }
                var out = [Double](repeating: 0, count: L * T)
                for i in 0..<L { for t in 0..<T { out[i * T + t] = g[t * L + i] } }
                return out
            }
        }
        guard let counts = try binValues("count") else { throw fail("no count variable") }
        let sums = try binValues("sum")
        return SpaceTimeCube(tessellation: tess, crs: crs, steps: steps, locations: locations, counts: counts, sums: sums,
                             weightField: sums == nil ? nil : weightField, firstTime: first, lastTime: last, events: events)
    }
}
