import Foundation

/// Well-known binary, the bulk format in which geometries cross into GDAL and GEOS:
/// one C call per geometry, never one per vertex.
enum WKB {
    struct Reader {
        let base: UnsafeRawBufferPointer
        var offset = 0
        var little = true

        init(_ buffer: UnsafeRawBufferPointer) { base = buffer }

        mutating func byte() throws -> UInt8 {
            guard offset < base.count else { throw WKB.truncated }
            defer { offset += 1 }
            return base[offset]
        }
        mutating func uint32() throws -> UInt32 {
            guard offset + 4 <= base.count else { throw WKB.truncated }
            let v = base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            offset += 4
            return little ? UInt32(littleEndian: v) : UInt32(bigEndian: v)
        }
        mutating func points(_ n: Int, dims: Int) throws -> [XY] {
            let bytes = n * dims * 8
            guard n >= 0, offset + bytes <= base.count else { throw WKB.truncated }
            let start = offset
            offset += bytes
            // An empty sequence: Array(unsafeUninitializedCapacity: 0) would write its count
            // into the stdlib's shared empty-array storage, a data race TSan reports when
            // threads decode empty rings at once.
            if n == 0 { return [] }
            if little && dims == 2 {
                // The common case: a straight copy of n (x, y) pairs.
                return [XY](unsafeUninitializedCapacity: n) { buf, count in
                    UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: base[start..<(start + bytes)]))
                    count = n
                }
            }
            var out = [XY]()
            out.reserveCapacity(n)
            for i in 0..<n {
                let o = start + i * dims * 8
                out.append(XY(double(at: o), double(at: o + 8)))
            }
            return out
        }
        func double(at o: Int) -> Double {
            let bits = base.loadUnaligned(fromByteOffset: o, as: UInt64.self)
            return Double(bitPattern: little ? UInt64(littleEndian: bits) : UInt64(bigEndian: bits))
        }

        mutating func geometry() throws -> Geometry {
            little = try byte() == 1
            var code = try uint32()
            var dims = 2
            // EWKB flags (PostGIS) and ISO offsets for Z / M / ZM.
            if code & 0x8000_0000 != 0 { dims += 1 }
            if code & 0x4000_0000 != 0 { dims += 1 }
            if code & 0x2000_0000 != 0 { offset += 4 } // SRID
            code &= 0x0FFF_FFFF
            switch code / 1000 {
            case 1, 2: dims = 3
            case 3: dims = 4
            default: break
            }
            let type = code % 1000
            switch type {
            case 1:
                let p = try points(1, dims: dims)[0]
                return .point(p)
            case 2:
                return .lineString(try points(Int(try uint32()), dims: dims))
            case 3:
                let n = Int(try uint32())
                var rings: [[XY]] = []
                rings.reserveCapacity(n)
                for _ in 0..<n { rings.append(try points(Int(try uint32()), dims: dims)) }
                return .polygon(rings)
            case 4, 5, 6, 7:
                let n = Int(try uint32())
                guard n <= base.count else { throw WKB.truncated }
                var parts: [Geometry] = []
                parts.reserveCapacity(n)
                for _ in 0..<n { parts.append(try geometry()) }
                switch type {
                case 4: return .multiPoint(parts.compactMap { if case .point(let p) = $0, !p.x.isNaN { p } else { nil } })
                case 5: return .multiLineString(parts.compactMap { if case .lineString(let c) = $0 { c } else { nil } })
                case 6: return .multiPolygon(parts.compactMap { if case .polygon(let r) = $0 { r } else { nil } })
                default: return .collection(parts)
                }
            default:
                throw GeoError(.unsupported, "geometry type \(code) is not supported (curves are linearised; TIN and polyhedral surfaces are not read)")
            }
        }
    }

    static let truncated = GeoError(.read, "truncated or corrupt WKB geometry")

    /// Decodes ISO or extended WKB.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> Geometry {
        var r = Reader(bytes)
        return try r.geometry()
    }

    static func decode(_ bytes: [UInt8]) throws -> Geometry {
        try bytes.withUnsafeBytes { try decode($0) }
    }

    /// Encodes 2D little-endian ISO WKB.
    static func encode(_ g: Geometry, into out: inout [UInt8]) {
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func pts(_ c: [XY]) { c.withUnsafeBytes { out.append(contentsOf: $0) } }
        func header(_ t: UInt32) { out.append(1); u32(t) }
        switch g {
        case .point(let p): header(1); pts([p])
        case .lineString(let c): header(2); u32(UInt32(c.count)); pts(c)
        case .polygon(let rings):
            header(3); u32(UInt32(rings.count))
            for r in rings { u32(UInt32(r.count)); pts(r) }
        case .multiPoint(let c):
            header(4); u32(UInt32(c.count))
            for p in c { header(1); pts([p]) }
        case .multiLineString(let ls):
            header(5); u32(UInt32(ls.count))
            for l in ls { encode(.lineString(l), into: &out) }
        case .multiPolygon(let ps):
            header(6); u32(UInt32(ps.count))
            for p in ps { encode(.polygon(p), into: &out) }
        case .collection(let gs):
            header(7); u32(UInt32(gs.count))
            for g in gs { encode(g, into: &out) }
        }
    }

    static func encode(_ g: Geometry) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + g.vertexCount * 16)
        encode(g, into: &out)
        return out
    }
}

extension Geometry {
    /// Decodes well-known binary (ISO or PostGIS extended; Z and M are dropped).
    public init(wkb: [UInt8]) throws { self = try WKB.decode(wkb) }
    /// 2D little-endian ISO well-known binary.
    public var wkb: [UInt8] { WKB.encode(self) }
}
