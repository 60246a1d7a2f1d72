import Foundation

/// ArcGIS's 17 emerging hot spot patterns, by their CATEGORY numbers.
public enum EmergingPattern: Int, Sendable, CaseIterable, Codable {
    case newHot = 1, consecutiveHot = 2, intensifyingHot = 3, persistentHot = 4, diminishingHot = 5
    case sporadicHot = 6, oscillatingHot = 7, historicalHot = 8
    case newCold = -1, consecutiveCold = -2, intensifyingCold = -3, persistentCold = -4, diminishingCold = -5
    case sporadicCold = -6, oscillatingCold = -7, historicalCold = -8
    case none = 0

    /// CATEGORY.
    public var category: Int { rawValue }

    /// PATTERN, exactly as ArcGIS writes it.
    public var name: String {
        switch self {
        case .newHot: "New Hot Spot"
        case .consecutiveHot: "Consecutive Hot Spot"
        case .intensifyingHot: "Intensifying Hot Spot"
        case .persistentHot: "Persistent Hot Spot"
        case .diminishingHot: "Diminishing Hot Spot"
        case .sporadicHot: "Sporadic Hot Spot"
        case .oscillatingHot: "Oscillating Hot Spot"
        case .historicalHot: "Historical Hot Spot"
        case .newCold: "New Cold Spot"
        case .consecutiveCold: "Consecutive Cold Spot"
        case .intensifyingCold: "Intensifying Cold Spot"
        case .persistentCold: "Persistent Cold Spot"
        case .diminishingCold: "Diminishing Cold Spot"
        case .sporadicCold: "Sporadic Cold Spot"
        case .oscillatingCold: "Oscillating Cold Spot"
        case .historicalCold: "Historical Cold Spot"
        case .none: "No Pattern Detected"
        }
    }

    public var russianName: String {
        switch self {
        case .newHot: "Новая горячая точка"
        case .consecutiveHot: "Последовательная горячая точка"
        case .intensifyingHot: "Усиливающаяся горячая точка"
        case .persistentHot: "Устойчивая горячая точка"
        case .diminishingHot: "Ослабевающая горячая точка"
        case .sporadicHot: "Спорадическая горячая точка"
        case .oscillatingHot: "Колеблющаяся горячая точка"
        case .historicalHot: "Историческая горячая точка"
        case .newCold: "Новая холодная точка"
        case .consecutiveCold: "Последовательная холодная точка"
        case .intensifyingCold: "Усиливающаяся холодная точка"
        case .persistentCold: "Устойчивая холодная точка"
        case .diminishingCold: "Ослабевающая холодная точка"
        case .sporadicCold: "Спорадическая холодная точка"
        case .oscillatingCold: "Колеблющаяся холодная точка"
        case .historicalCold: "Историческая холодная точка"
        case .none: "Закономерность не выявлена"
        }
    }

    /// The map colour: reds for hot patterns (darkest for intensifying), blues for cold, pale
    /// grey for none, in the spirit of ArcGIS's default rendering (its exact RGB values are not
    /// documented).
    public var colour: String {
        switch self {
        case .intensifyingHot: "#A50F15"
        case .persistentHot: "#DE2D26"
        case .consecutiveHot: "#FB6A4A"
        case .newHot: "#FF00C5"
        case .diminishingHot: "#FCAE91"
        case .sporadicHot: "#E6A817"
        case .oscillatingHot: "#A87000"
        case .historicalHot: "#F2D9C4"
        case .intensifyingCold: "#08519C"
        case .persistentCold: "#3182BD"
        case .consecutiveCold: "#6BAED6"
        case .newCold: "#00C5FF"
        case .diminishingCold: "#BDD7E7"
        case .sporadicCold: "#17A8A8"
        case .oscillatingCold: "#005C73"
        case .historicalCold: "#D4E4F2"
        case .none: "#EEEEEE"
        }
    }

    /// Legend order: hot patterns, cold patterns, none.
    public static let legendOrder: [EmergingPattern] = [.newHot, .consecutiveHot, .intensifyingHot, .persistentHot, .diminishingHot,
                                                         .sporadicHot, .oscillatingHot, .historicalHot,
                                                         .newCold, .consecutiveCold, .intensifyingCold, .persistentCold, .diminishingCold,
                                                         .sporadicCold, .oscillatingCold, .historicalCold, .none]

    /// The PATTERN field's classes, for renderers and legends.
    public static var fieldClasses: [FieldClass] {
        legendOrder.map { FieldClass(value: $0.name, label: $0.name, labelRussian: $0.russianName, colour: $0.colour) }
    }

    /// The CATEGORY field's classes.
    public static var categoryClasses: [FieldClass] {
        legendOrder.map { FieldClass(value: String($0.category), label: $0.name, labelRussian: $0.russianName, colour: $0.colour) }
    }

    public var isHot: Bool { rawValue > 0 }
    public var isCold: Bool { rawValue < 0 }
}

/// One step of a location's series: a significant hot spot, a significant cold spot, or neither.
public enum StepState: Sendable, Hashable {
    case hot, cold, neither

    /// From an FDR-corrected Gi_Bin: hot at +1 or more (90 %), cold at −1 or less.
    public init(bin: Int) { self = bin >= 1 ? .hot : bin <= -1 ? .cold : .neither }
}

/// Classifies a location by ANALYSIS.md §7's table (ArcGIS's "How Emerging Hot Spot Analysis
/// works"): the final step decides the family, the first rule that holds wins.
/// `trend` is the Mann–Kendall TREND_BIN of the z-scores: +1 up, −1 down, 0 none.
public func classifyEmerging(_ states: [StepState], trend: Int) -> EmergingPattern {
    let T = states.count
    guard let last = states.last else { return .none }
    let H = states.filter { $0 == .hot }.count, C = states.filter { $0 == .cold }.count
    func finalRun(_ s: StepState) -> Int { states.reversed().prefix { $0 == s }.count }
    switch last {
    case .hot:
        if 10 * H >= 9 * T { return trend > 0 ? .intensifyingHot : trend < 0 ? .diminishingHot : .persistentHot }
        if C > 0 { return .oscillatingHot }
        if H == 1 { return .newHot }
        if finalRun(.hot) == H { return .consecutiveHot }
        return .sporadicHot
    case .cold:
        if 10 * C >= 9 * T { return trend < 0 ? .intensifyingCold : trend > 0 ? .diminishingCold : .persistentCold }
        if H > 0 { return .oscillatingCold }
        if C == 1 { return .newCold }
        if finalRun(.cold) == C { return .consecutiveCold }
        return .sporadicCold
    case .neither:
        if 10 * H >= 9 * T { return .historicalHot }
        if 10 * C >= 9 * T { return .historicalCold }
        return .none
    }
}
