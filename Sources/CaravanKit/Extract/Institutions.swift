import Foundation

/// An institution that reports name instead of a city ("at CARICC", "at the DCA training
/// center"), and the city it sits in.
public struct Institution: Sendable, Hashable {
    /// The names as reports write them (matched case-insensitively, longest first).
    public var names: [String]
    /// The city, as the geocoder knows it.
    public var city: String
    /// ISO-2 country code.
    public var country: String

    public init(names: [String], city: String, country: String) {
        self.names = names; self.city = city; self.country = country
    }
}

/// The shipped table of the region's institutions → city. Each entry is a public fact about the
/// seat of the body (its own website or the UNODC's description of it); extend it with
/// `caravan extract --extra institutions.csv` (columns `name`, `city`, `country`; one row per name).
public enum Institutions {
    public static let shipped: [Institution] = [
        // Central Asian Regional Information and Coordination Centre: Almaty, Kazakhstan.
        Institution(names: ["CARICC", "ЦАРИКЦ", "Central Asian Regional Information and Coordination Centre",
                            "Центрально-Азиатский региональный информационный координационный центр"], city: "Almaty", country: "KZ"),
        // Drug Control Agency under the President of the Republic of Tajikistan (and its training centre): Dushanbe.
        Institution(names: ["DCA training center under the President of the Republic of Tajikistan", "DCA training centre",
                            "DCA training center", "Drug Control Agency under the President of the Republic of Tajikistan",
                            "Агентство по контролю за наркотиками при Президенте Республики Таджикистан",
                            "Агентства по контролю за наркотиками при Президенте Республики Таджикистан",
                            "АКН при Президенте РТ", "АКН при Президенте Республики Таджикистан"], city: "Dushanbe", country: "TJ"),
        // Counter Narcotics Service of the Ministry of Internal Affairs of the Kyrgyz Republic: Bishkek.
        Institution(names: ["Counter Narcotics Service of the Ministry of Internal Affairs of the Kyrgyz Republic",
                            "СБНОН МВД КР", "СБНОН МВД Кыргызской Республики",
                            "Службы по борьбе с незаконным оборотом наркотиков МВД Кыргызской Республики"], city: "Bishkek", country: "KG"),
        // National Information and Analytical Center on Drug Control under the Cabinet of Ministers of Uzbekistan: Tashkent.
        Institution(names: ["NIACCN under the Cabinet of Ministers of the Republic of Uzbekistan", "NIACCN", "НИАЦ при Кабинете Министров Республики Узбекистан",
                            "Национальный информационно-аналитический центр по контролю за наркотиками"], city: "Tashkent", country: "UZ"),
        // Higher Military Customs Institute of the State Customs Committee of Uzbekistan: Tashkent.
        Institution(names: ["Higher Military Customs Institute", "Высший военный таможенный институт"], city: "Tashkent", country: "UZ"),
        // Almaty Academy of the Ministry of Internal Affairs of Kazakhstan named after M. Esbulatov: Almaty.
        Institution(names: ["Almaty Academy of the Ministry of Internal Affairs", "Алматинская академия МВД", "Алматинской академии МВД"], city: "Almaty", country: "KZ"),
        // Executive Committee of the Regional Anti-Terrorist Structure of the SCO: Tashkent.
        Institution(names: ["RATS SCO Executive Committee", "Executive Committee of the RATS SCO", "Исполнительный комитет РАТС ШОС",
                            "Исполнительного комитета РАТС ШОС"], city: "Tashkent", country: "UZ"),
        // Academy of the MIA of the Kyrgyz Republic named after E. Aliev: Bishkek.
        Institution(names: ["Academy of the Ministry of Internal Affairs of the Kyrgyz Republic", "Академия МВД Кыргызской Республики",
                            "Академии МВД Кыргызской Республики"], city: "Bishkek", country: "KG"),
        // International and Ibero-American Foundation for Administration and Public Policies: Madrid.
        Institution(names: ["FIIAPP"], city: "Madrid", country: "ES"),
        // Spanish Intelligence Centre against Terrorism and Organised Crime: Madrid.
        Institution(names: ["CITCO"], city: "Madrid", country: "ES"),
    ]

    /// Reads a user's table of institutions: a CSV with `name`, `city` and `country` columns.
    public static func read(_ path: String) throws -> [Institution] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GeoError(.invalidArgument, "cannot read the institutions table", file: path, hint: "a CSV with columns name, city, country")
        }
        let lines = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first else { throw GeoError(.invalidArgument, "the institutions table is empty", file: path, hint: "a CSV with columns name, city, country") }
        let cols = csvFields(String(header)).map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
        guard let ni = cols.firstIndex(of: "name"), let ci = cols.firstIndex(of: "city") else {
            throw GeoError(.invalidArgument, "the institutions table has no 'name' and 'city' columns (it has: \(cols.joined(separator: ", ")))", file: path,
                           hint: "a CSV with columns name, city, country")
        }
        let ki = cols.firstIndex(of: "country")
        var out: [Institution] = []
        for (n, line) in lines.dropFirst().enumerated() {
            let f = csvFields(String(line))
            guard f.count > max(ni, ci), !f[ni].isEmpty, !f[ci].isEmpty else {
                throw GeoError(.invalidArgument, "row \(n + 1) of the institutions table has no name or city", file: path, hint: "fill in both, or remove the row")
            }
            out.append(Institution(names: [f[ni]], city: f[ci], country: ki.flatMap { $0 < f.count ? f[$0] : nil } ?? ""))
        }
        return out
    }

    static func csvFields(_ line: String) -> [String] {
        var out: [String] = [], cur = "", quoted = false
        var it = Array(line), i = 0
        while i < it.count {
            let c = it[i]
            if quoted {
                if c == "\"" { if i + 1 < it.count, it[i + 1] == "\"" { cur.append("\""); i += 1 } else { quoted = false } } else { cur.append(c) }
            } else if c == "\"" { quoted = true } else if c == "," { out.append(cur); cur = "" } else { cur.append(c) }
            i += 1
        }
        out.append(cur)
        it = []
        return out.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
