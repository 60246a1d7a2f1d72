import Foundation

/// The legend: per layer its title, one line saying what it shows, and its classes with
/// their counts, in the map's language.
extension MapRenderer {
    /// What a layer shows, in words a head of department reads.
    func meaning(_ l: MapLayer) -> String {
        let s = l.style
        let method: String
        if case .graduated(_, _, _, let m) = s.symbol { method = ru ? m.russian : m.rawValue } else { method = "" }
        switch s.kind {
        case .hotSpots:
            return ru ? "Где событий больше (очаг) или меньше (холодная зона), чем дала бы случайность: статистика Getis-Ord Gi*, классы ArcGIS"
                      : "Where events cluster more (hot) or less (cold) than chance would give: Getis-Ord Gi*, ArcGIS classes"
        case .emerging:
            return ru ? "Как менялись очаги во времени (шаблоны ArcGIS Emerging Hot Spot)" : "How hot spots changed over time (ArcGIS Emerging Hot Spot patterns)"
        case .density:
            return ru ? "Километры дорог на км² ячейки; классы: \(method); без дорог — не закрашено"
                      : "Kilometres of road per km² of each cell; classes: \(method); cells without roads not coloured"
        case .kernelDensity:
            return ru ? "Плотность событий на км² (ядерная оценка); классы: \(method); ноль не закрашен"
                      : "Events per km² (kernel density); classes: \(method); zero not coloured"
        case .crossings:
            return ru ? "Где дороги пересекают границу; подписаны самые загруженные" : "Where the network crosses a border; the busiest are named"
        case .corridors:
            return ru ? "Маршруты по точкам пути" : "Routes through their waypoints"
        case .events:
            if case .points(let f?, _) = s.symbol { return ru ? "Площадь круга пропорциональна полю \(f)" : "Circle area in proportion to \(f)" }
            return ru ? "Каждая точка — событие" : "Each dot is one event"
        default:
            if case .graduated(let f, _, _, _) = s.symbol { return (ru ? "Поле \(f); классы: " : "Field \(f); classes: ") + method }
            return ru ? "Слой без известного стиля" : "A layer caravan does not recognise, drawn plainly"
        }
    }

    /// The word for what a layer's entries count, in the form its number takes: "1 cell", "264 cells";
    /// in Russian "1 ячейка", "3 ячейки", "264 ячейки"… by the usual rule (1, 21 — one; 2–4, 22–24 — few; else many).
    func unitWord(_ l: MapLayer, count n: Int) -> String {
        let forms: (en: String, ru: [String])
        switch l.style.kind {
        case .hotSpots, .density, .emerging, .counts:
            forms = l.geometryType.isPointLike ? ("point", ["точка", "точки", "точек"]) : ("cell", ["ячейка", "ячейки", "ячеек"])
        case .kernelDensity: forms = ("cell", ["ячейка", "ячейки", "ячеек"])
        case .crossings: forms = ("crossing", ["пересечение", "пересечения", "пересечений"])
        default: forms = ("feature", ["объект", "объекта", "объектов"])
        }
        return Self.countWord(n, english: forms.en, russian: forms.ru, inRussian: ru)
    }

    /// `english` singular (plural adds "s"); `russian` as [one, few, many].
    static func countWord(_ n: Int, english: String, russian: [String], inRussian: Bool) -> String {
        if !inRussian { return n == 1 ? english : english + "s" }
        let (d, h) = (n % 10, n % 100)
        return russian[d == 1 && h != 11 ? 0 : (2...4).contains(d) && !(12...14).contains(h) ? 1 : 2]
    }

    /// "3,459 kg" for amount_kg, else "3,459 weight".
    func fieldAmount(_ v: Double, _ field: String) -> String {
        let n = v >= 100 ? Int(v.rounded()).formatted() : number(v)
        let f = field.lowercased()
        if f.hasSuffix("_kg") || f == "kg" { return "\(n) \(ru ? "кг" : "kg")" }
        return "\(n) \(field)"
    }



    func number(_ v: Double) -> String {
        let a = abs(v)
        let s = a >= 100 ? String(format: "%.0f", v) : a >= 10 ? String(format: "%.1f", v) : a >= 1 ? String(format: "%.2f", v) : a >= 0.01 ? String(format: "%.3f", v) : String(format: "%.2g", v)
        return ru ? s.replacingOccurrences(of: ".", with: ",") : s
    }

    func drawLegend(_ c: Canvas, in box: Box) throws {
        var y = box.y + 4 * u
        let x = box.x + 4 * u, w = box.w - 8 * u
        let head = Canvas.Font(size: 19 * u, bold: true), small = Canvas.Font(size: 13 * u, italic: true), item = Canvas.Font(size: 15 * u)
        let sw = 26 * u, sh = 17 * u
        func entry(_ colour: RGBA?, _ text: String, shape: String = "box", dim: Bool = false, size: Double? = nil) {
            let h = max(sh, size.map { 2 * $0 } ?? 0) + 6 * u
            guard y + h < box.maxY else { return }
            switch shape {
            case "circle": c.circle(x + sw / 2, y + h / 2 - 3 * u, size ?? 6 * u, fill: colour, stroke: RGBA(0.3, 0.3, 0.3), width: 0.8 * u)
            case "square": c.rect(Box(x: x + sw / 2 - 6 * u, y: y + h / 2 - 9 * u, w: 12 * u, h: 12 * u), fill: colour, stroke: .white, width: 1.2 * u)
            case "dot": c.circle(x + sw / 2, y + h / 2 - 3 * u, 5 * u, fill: colour, stroke: .white, width: 1.2 * u)
            case "line":
                c.line(x, y + sh / 2, x + sw, y + sh / 2, .white, width: 7 * u)
                c.line(x, y + sh / 2, x + sw, y + sh / 2, colour ?? .black, width: 4 * u)
            default: c.rect(Box(x: x, y: y, w: sw, h: sh), fill: colour, stroke: RGBA(0.55, 0.55, 0.55), width: 0.6 * u)
            }
            let t = c.text(text, x: x + sw + 10 * u, y: y + (shape == "circle" ? h / 2 - 12 * u : -1 * u), font: item,
                           colour: dim ? RGBA(0.55, 0.55, 0.55) : RGBA(0.1, 0.1, 0.1), wrap: w - sw - 10 * u)
            y += max(h, t.h + 4 * u)
        }
        for l in layers.reversed() {
            guard y + 60 * u < box.maxY else { break }
            y += c.text(l.title, x: x, y: y, font: head, colour: RGBA(0.1, 0.1, 0.1), wrap: w).h + 2 * u
            y += c.text(meaning(l), x: x, y: y, font: small, colour: RGBA(0.35, 0.35, 0.35), wrap: w).h + 6 * u
            if l.drawn == 0 {
                y += c.text(ru ? "Пусто: в слое нет объектов для этой карты" : "Empty: this layer has nothing to draw here", x: x, y: y,
                            font: .init(size: 15 * u, bold: true), colour: RGBA(0.7, 0.1, 0.1), wrap: w).h + 6 * u
            }
            switch l.style.symbol {
            case .categorized(_, let classes):
                for (i, cls) in classes.enumerated() {
                    let n = i < l.classCounts.count ? l.classCounts[i] : 0
                    if l.style.kind == .emerging && n == 0 { continue }
                    let alpha = l.style.kind == .hotSpots && cls.value == "0" ? 0.4 : 1
                    let label = l.style.kind == .hotSpots && cls.value == "0" ? cls.label(lang) + (ru ? " (проанализировано, скопления нет)" : " (analysed, no cluster)") : cls.label(lang)
                    entry(RGBA(hex: cls.colour, alpha: alpha), "\(label)  (\(n.formatted()) \(unitWord(l, count: n)))",
                          shape: l.geometryType.isPointLike ? "circle" : "box", dim: n == 0, size: l.geometryType.isPointLike ? 7 * u : nil)
                }
            case .graduated(_, let breaks, let colours, _):
                let unit = l.style.unit.map { " \($0)" } ?? ""
                var lower = 0.0
                for (i, b) in breaks.enumerated().reversed() {
                    lower = i == 0 ? 0 : breaks[i - 1]
                    let n = i < l.classCounts.count ? l.classCounts[i] : 0
                    let range = i == 0 ? "> 0 – \(number(b))\(unit)" : "\(number(lower)) – \(number(b))\(unit)"
                    entry(RGBA(hex: colours[i], alpha: 0.9), "\(range)  (\(n.formatted()) \(unitWord(l, count: n)))", dim: n == 0)
                }
            case .crossings:
                let n0 = l.classCounts.first ?? 0, n1 = l.classCounts.count > 1 ? l.classCounts[1] : 0
                entry(RGBA(hex: "#1F3A93"), (ru ? "У известного погранперехода" : "At a known border post") + "  (\(n0))", shape: "square")
                entry(RGBA(hex: "#E31A1C"), (ru ? "Без известного поста" : "No known post nearby") + "  (\(n1))", shape: "dot")
            case .lines:
                var seen = Set<String>()
                for (name, colour) in l.lineEntries where seen.insert(name).inserted { entry(colour, name, shape: "line") }
            case .points(let f, let colour):
                if let f, l.sizeMax > 0 {
                    for v in [l.sizeMax, l.sizeMax / 4, l.sizeMax / 16] {
                        entry(RGBA(hex: colour, alpha: 0.55), fieldAmount(v, f), shape: "circle", size: (2.5 + 11 * (v / l.sizeMax).squareRoot()) * u)
                    }
                } else {
                    entry(RGBA(hex: colour, alpha: 0.55), "\(l.drawn.formatted()) \(ru ? "событий" : "events")", shape: "circle", size: 3.5 * u)
                }
            case .plain(let colour):
                entry(RGBA(hex: colour), "\(l.drawn.formatted()) \(unitWord(l, count: l.drawn))", shape: l.geometryType.isPointLike ? "dot" : "box")
            }
            y += 16 * u
        }
        // The base map.
        guard y + 70 * u < box.maxY else { return }
        y += c.text(ru ? "Основа" : "Base map", x: x, y: y, font: .init(size: 16 * u, bold: true), colour: RGBA(0.25, 0.25, 0.25)).h + 4 * u
        entry(MapRenderer.focusFill, ru ? "Центральная Азия и Афганистан" : "Central Asia and Afghanistan")
        entry(MapRenderer.neighbourFill, ru ? "Соседние страны" : "Neighbouring countries")
        let capital = ru ? "Столица" : "Capital"
        c.circle(x + sw / 2, y + 8 * u, 5 * u, fill: .white, stroke: RGBA(0.1, 0.1, 0.1), width: 1.6 * u)
        c.circle(x + sw / 2, y + 8 * u, 2.2 * u, fill: RGBA(0.1, 0.1, 0.1))
        c.text(capital, x: x + sw + 10 * u, y: y - 1 * u, font: item, colour: RGBA(0.1, 0.1, 0.1))
        y += sh + 6 * u
        c.circle(x + sw / 2, y + 8 * u, 3.2 * u, fill: RGBA(0.15, 0.15, 0.15))
        c.text(ru ? "Город (по численности населения)" : "Town (largest by population)", x: x + sw + 10 * u, y: y - 1 * u, font: item, colour: RGBA(0.1, 0.1, 0.1))
    }
}
