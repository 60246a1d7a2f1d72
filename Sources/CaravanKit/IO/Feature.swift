import Foundation

/// The type of an attribute field, as OGR has it.
public enum FieldType: String, Sendable, Hashable {
    case integer = "Integer"
    case integer64 = "Integer64"
    case real = "Real"
    case string = "String"
    case date = "Date"
    case time = "Time"
    case dateTime = "DateTime"
    case binary = "Binary"
    case list = "List"

    public var isNumeric: Bool { self == .integer || self == .integer64 || self == .real }
}

/// An attribute field's definition.
public struct FieldDefinition: Hashable, Sendable {
    public var name: String
    public var type: FieldType
    public var width: Int
    public var precision: Int
    public init(_ name: String, _ type: FieldType, width: Int = 0, precision: Int = 0) {
        self.name = name; self.type = type; self.width = width; self.precision = precision
    }
}

/// One attribute value. Dates, times and lists are carried as their OGR text form.
public enum FieldValue: Hashable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case string(String)

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The value as a number: integers and reals, and strings that read as one
    /// (a decimal comma is accepted, as Russian-locale spreadsheets write it).
    public var doubleValue: Double? {
        switch self {
        case .null: nil
        case .integer(let i): Double(i)
        case .real(let d): d
        case .string(let s): FieldValue.parseNumber(s)
        }
    }

    public var stringValue: String? {
        switch self {
        case .null: nil
        case .integer(let i): String(i)
        case .real(let d): d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : String(d)
        case .string(let s): s
        }
    }

    public var description: String { stringValue ?? "null" }

    static func parseNumber(_ s: String) -> Double? {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        if let d = Double(t) { return d }
        if t.filter({ $0 == "," }).count == 1, !t.contains(".") { return Double(t.replacingOccurrences(of: ",", with: ".")) }
        return nil
    }
}

/// The fields of a layer, with a name lookup.
public final class Schema: Sendable, Hashable {
    public let fields: [FieldDefinition]
    private let index: [String: Int]

    public init(_ fields: [FieldDefinition]) {
        self.fields = fields
        var idx: [String: Int] = [:]
        for (i, f) in fields.enumerated() where idx[f.name.lowercased()] == nil { idx[f.name.lowercased()] = i }
        index = idx
    }

    /// The index of a field, matched case-insensitively as GDAL does.
    public func index(of name: String) -> Int? { index[name.lowercased()] }
    public var names: [String] { fields.map(\.name) }
    public var count: Int { fields.count }

    public static func == (a: Schema, b: Schema) -> Bool { a.fields == b.fields }
    public func hash(into h: inout Hasher) { h.combine(fields) }
}

/// A feature read from or written to a layer: id, geometry, attribute values in schema order.
public struct Feature: Sendable {
    /// The feature id (OGR FID); for tables, the 1-based row number where the driver gives none.
    public var fid: Int64
    public var geometry: Geometry?
    public var values: [FieldValue]
    public let schema: Schema

    public init(fid: Int64 = -1, geometry: Geometry?, values: [FieldValue], schema: Schema) {
        self.fid = fid; self.geometry = geometry; self.values = values; self.schema = schema
    }

    /// The value of a field by name (case-insensitive), `.null` when there is no such field.
    public subscript(name: String) -> FieldValue {
        guard let i = schema.index(of: name) else { return .null }
        return values[i]
    }
}
