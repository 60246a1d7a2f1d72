import Foundation

/// Building the shipped gazetteer file (`caravan gazetteer build`): GeoNames' places with their
/// names in normal form, the Russian and local names a table can show, and the region's provinces.
extension Gazetteer {
    /// The region box of the prepared data (lon 44…90, lat 29…57): places inside it keep their
    /// Arabic-script and Chinese names (Afghanistan's, Xinjiang's, the Iranian and Pakistani border regions').
    static func inRegionBox(lon: Double, lat: Double) -> Bool { (44...90).contains(lon) && (29...57).contains(lat) }

    /// Builds the compact gazetteer file from the prepared GeoNames extract (see PROVENANCE) and,
    /// when given, the provinces table (`scripts/gazetteer/provinces.tsv`):
    /// every name and alternate name in normal form; Latin and Cyrillic names everywhere, Arabic-script
    /// and Chinese ones for the region's places (other scripts never match what officers type);
    /// Latin alternate names of three letters or fewer dropped (airport codes); duplicates removed.
    /// Each place also gets the Russian name and the country's own name where GeoNames has them.
    public static func build(from source: String, provinces: String? = nil, to output: String) throws -> Int {
        guard let text = try? String(contentsOfFile: source, encoding: .utf8) else {
            throw GeoError(.open, "cannot read the GeoNames extract", file: source)
        }
        var out = """
        # Caravan gazetteer v2. Contains data from GeoNames (geonames.org), CC BY 4.0, and Natural Earth (public domain).
        # Built by 'caravan gazetteer build' from the prepared GeoNames extract (cities500 of KZ KG TJ TM UZ AF,
        # cities5000 of IR PK CN RU MN AZ, cities15000 worldwide) and scripts/gazetteer/provinces.tsv. Columns: id,
        # name, lat, lon, country, admin1, population, normal form of the name, normal forms of the alternate names
        # (|-separated), kind (empty: city), Russian name, local name, radius in km (provinces).

        """
        var count = 0
        var townNames = Set<String>()
        for (n, line) in text.split(separator: "\n").enumerated() where n > 0 {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 9 else { continue }
            let name = corrections[Int(f[0]) ?? 0] ?? String(f[1])
            let country = String(f[6])
            let inBox = inRegionBox(lon: Double(f[5]) ?? 0, lat: Double(f[4]) ?? 0)
            let otherScripts = QueryCleaner.focusCountries.contains(country) || inBox
            let primary = TextNormalizer.normalize(name)
            var seen: Set<String> = [primary]
            var aliases: [String] = []
            let alternates = f[3].split(separator: "|").map(String.init)
            for a in [String(f[1]), String(f[2])] + alternates {
                var forms = [TextNormalizer.normalize(a)]
                // A Chinese name with its "city" or "county" character ("喀什市") answers without it too.
                if let last = forms[0].last, "市县镇乡".contains(last), forms[0].count >= 3, TextNormalizer.isHan(forms[0]) {
                    forms.append(String(forms[0].dropLast()))
                }
                for norm in forms where !seen.contains(norm) {
                    // Aliases of three letters or fewer are mostly airport codes (KBL, MZR, SCO for
                    // Aktau) that collide with words and acronyms officers write: left out.
                    let keep = TextNormalizer.isLatin(norm) ? norm.count >= 4
                        : otherScripts && (TextNormalizer.isArabicScript(norm) ? norm.count >= 3 : TextNormalizer.isHan(norm) && norm.count >= 2)
                    guard keep else { continue }
                    seen.insert(norm)
                    aliases.append(norm)
                }
            }
            if QueryCleaner.region.contains(country) { townNames.formUnion(seen) }
            let russian = russianName(name, alternates)
            let local = localName(name, country: country, alternates, russian: russian)
            out += "\(f[0])\t\(name)\t\(f[4])\t\(f[5])\t\(country)\t\(f[7])\t\(f[8])\t\(primary)\t\(aliases.joined(separator: "|"))"
            out += "\t\t\(russian == name ? "" : russian)\t\(local == name ? "" : local)\t\n"
            count += 1
        }
        if let provinces { count += try appendProvinces(provinces, townNames: townNames, to: &out) }
        let safe = try SafeOutput(target: output, overwrite: true)
        try out.write(toFile: safe.temporaryPath, atomically: false, encoding: .utf8)
        try safe.commit()
        return count
    }

    // MARK: Russian and local names

    private static let russianLetters = Set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя -")

    /// GeoNames' Russian name of a place: of its alternate names written in the Russian alphabet
    /// only, the one whose transliteration is closest to the name ("Алматы", not "Алма-Ата"); ties
    /// go to the first listed. The name itself when there is none.
    static func russianName(_ name: String, _ alternates: [String]) -> String {
        closest(to: name, among: alternates.filter { a in
            a.contains { $0.isLetter } && a.lowercased().allSatisfy { russianLetters.contains($0) } && a.contains { ("а"..."я").contains($0.lowercased()) }
        }) ?? name
    }

    /// The country's own form of a name where GeoNames lists it: Kazakh, Kyrgyz or Tajik Cyrillic
    /// (told by their own letters), Uzbek or Turkmen Latin (oʻ gʻ q; ý ň ş ç ä ž), Dari or Persian
    /// (Persian letters), Urdu, Chinese, Russian for Russia; a Latin or Cyrillic form only when it is
    /// close to the name (a historic name is not the local one). Otherwise Russian (KZ, KG, TJ: the
    /// other official language) or the name itself.
    static func localName(_ name: String, country: String, _ alternates: [String], russian: String) -> String {
        let cyrillic = alternates.filter { a in a.unicodeScalars.allSatisfy { (0x400...0x52F).contains($0.value) || $0 == " " || $0 == "-" } }
        func isLatinLetterOrMark(_ u: Unicode.Scalar) -> Bool {
            u.value < 0x250 || (0x2B0...0x2FF).contains(u.value) || (0x2018...0x2019).contains(u.value)
        }
        let latin = alternates.filter { a in a.first?.isUppercase == true && a.unicodeScalars.allSatisfy(isLatinLetterOrMark) }
        func having(_ letters: String, in list: [String]) -> [String] { list.filter { a in a.lowercased().contains { letters.contains($0) } } }
        let arabic = alternates.filter { TextNormalizer.isArabicScript(TextNormalizer.normalize($0)) }
        switch country {
        case "KZ": return closest(to: name, among: having("әғқңөұүһ", in: cyrillic), near: true) ?? russian
        case "KG":
            let kyrgyz = having("ңөү", in: cyrillic).filter { !$0.lowercased().contains { "әғқұһі".contains($0) } }   // not Kazakh
            return closest(to: name, among: kyrgyz, near: true) ?? russian
        case "TJ": return closest(to: name, among: having("ҳқғӣӯҷ", in: cyrillic), near: true) ?? russian
        case "UZ": return closest(to: name, among: having("ʻ‘’'q", in: latin), near: true) ?? name
        case "TM": return closest(to: name, among: having("ýňşçäž", in: latin), near: true) ?? name
        case "AF", "IR": return (arabic.first { $0.contains { "یکپچژگ".contains($0) } } ?? arabic.first) ?? name
        case "PK": return arabic.first ?? name
        case "CN": return alternates.first { TextNormalizer.isHan(TextNormalizer.normalize($0)) } ?? name
        case "RU": return russian
        default: return name
        }
    }

    /// The candidate whose spelling key is closest to the name's, then whose normal form is
    /// (ties: the first). `near`: only within a third of the name's length.
    private static func closest(to name: String, among candidates: [String], near: Bool = false) -> String? {
        let normal = Array(TextNormalizer.normalize(name).utf8)
        let key = Array(TextNormalizer.phoneticKey(TextNormalizer.normalize(name)).utf8)
        var best: (String, Int)? = nil
        for c in candidates {
            let n = TextNormalizer.normalize(c)
            let d = EditDistance.damerauLevenshtein(key, Array(TextNormalizer.phoneticKey(n).utf8), limit: 64)
            if near && d > max(1, key.count / 3) { continue }
            let rank = d * 100 + EditDistance.damerauLevenshtein(normal, Array(n.utf8), limit: 64)
            if rank < (best?.1 ?? .max) { best = (c, rank) }
        }
        return best?.0
    }

    // MARK: provinces

    /// The words a country's provinces are named with after their name ("Osh oblast") and before it ("viloyati Sughd").
    static let provinceWordsAfter: [String: [String]] = [
        "KZ": ["oblast", "oblasty", "oblysy", "oblys", "region", "province", "obl", "oblasti"],
        "KG": ["oblast", "oblasty", "oblusu", "region", "province", "obl", "oblasti"],
        "UZ": ["viloyati", "viloyat", "vilayat", "wilayat", "region", "province", "oblast", "obl", "oblasti"],
        "TJ": ["region", "province", "oblast", "obl", "viloyat", "oblasti"],
        "TM": ["welayaty", "welayat", "velayat", "velayaty", "region", "province", "oblast"],
        "AF": ["province", "wilayat", "velayat", "welayat", "vilayat"],
        "IR": ["province", "ostan"], "PK": ["province"], "CN": ["region", "province", "autonomous region"],
        "RU": ["oblast", "region", "province", "obl", "oblasti", "krai", "kray"],
    ]
    static let provinceWordsBefore: [String: [String]] = [
        "TJ": ["viloyati"], "AF": ["wilayat e", "velayat e", "welayat e", "wilayat i", "wilayat", "velayat", "province of"],
        "IR": ["ostan e", "province of"], "PK": ["province of"],
    ]

    /// Russian nouns and adjective endings by case (nominative, genitive, dative, accusative, instrumental, prepositional).
    private static let russianNouns: [String: [String]] = [
        "область": ["область", "области", "области", "область", "областью", "области"],
        "велаят": ["велаят", "велаята", "велаяту", "велаят", "велаятом", "велаяте"],
        "провинция": ["провинция", "провинции", "провинции", "провинцию", "провинцией", "провинции"],
        "край": ["край", "края", "краю", "край", "краем", "крае"],
        "район": ["район", "района", "району", "район", "районом", "районе"],
        "районы": ["районы", "районов", "районам", "районы", "районами", "районах"],
        "республика": ["республика", "республики", "республике", "республику", "республикой", "республике"],
        "остан": ["остан", "остана", "остану", "остан", "останом", "остане"],
    ]
    private static let russianAdjectives: [(String, [String])] = [
        ("ая", ["ая", "ой", "ой", "ую", "ой", "ой"]),
        ("ий", ["ий", "ого", "ому", "ий", "им", "ом"]),
        ("ый", ["ый", "ого", "ому", "ый", "ым", "ом"]),
    ]

    /// A Russian phrase ("Ташкентская область", "провинция Кундуз") in its six cases, and with
    /// "обл" for "область": the adjectives and nouns declined, names left as written.
    static func russianCases(_ phrase: String) -> [String] {
        let words = phrase.lowercased().split(separator: " ").map(String.init)
        var out: [String] = []
        for c in 0..<6 {
            let declined = words.map { w -> String in
                if let forms = russianNouns[w] { return forms[c] }
                for (ending, forms) in russianAdjectives where w.hasSuffix(ending) && w.count > 4 {
                    return String(w.dropLast(ending.count)) + forms[c]
                }
                return w
            }
            out.append(declined.joined(separator: " "))
            if let oblast = russianNouns["область"], words.contains("область") {
                out.append(declined.map { oblast.contains($0) ? "обл" : $0 }.joined(separator: " "))
            }
        }
        return out
    }

    /// Appends the provinces of a provinces table as gazetteer lines; returns their number.
    /// A form without an area word that is also a town's name ("Balkh", "Mary") is left out:
    /// the bare name stays the town's.
    static func appendProvinces(_ path: String, townNames: Set<String>, to out: inout String) throws -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw GeoError(.open, "cannot read the provinces table", file: path)
        }
        var count = 0
        for (n, line) in text.split(separator: "\n").enumerated() where !line.hasPrefix("#") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 11, let id = Int(f[0]), Double(f[3]) != nil, Double(f[4]) != nil else {
                throw GeoError(.read, "malformed provinces line (12 tab-separated columns expected)", file: path, index: n + 1)
            }
            let country = f[1], name = f[6]
            let primary = TextNormalizer.normalize(name)
            var forms: [String] = []
            for base in f[9].split(separator: "|").map({ TextNormalizer.normalize(String($0)) }) {
                forms += (provinceWordsAfter[country] ?? ["province"]).map { "\(base) \($0)" }
                forms += (provinceWordsBefore[country] ?? []).map { "\($0) \(base)" }
            }
            forms += f[10].split(separator: "|").flatMap { russianCases(String($0)) }.map(TextNormalizer.normalize)
            if f.count > 11 { forms += f[11].split(separator: "|").map { TextNormalizer.normalize(String($0)) } }
            forms += [f[7], f[8]].map(TextNormalizer.normalize)
            var seen: Set<String> = [primary]
            var aliases: [String] = []
            for form in forms where !form.isEmpty && !seen.contains(form) && !townNames.contains(form) {
                seen.insert(form)
                aliases.append(form)
            }
            out += "\(Place.provinceIDs + id)\t\(name)\t\(f[3])\t\(f[4])\t\(country)\t\(f[2])\t0\t\(primary)\t\(aliases.joined(separator: "|"))"
            out += "\tprovince\t\(f[7])\t\(f[8])\t\(f[5])\n"
            count += 1
        }
        return count
    }
}
