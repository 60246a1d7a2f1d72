import Foundation

/// Every number and set the geocoder ranks and decides by, in one value: tests read it, and a
/// change to the ranking is a change here, named, not a literal edited inside the matcher.
///
/// The defaults (`standard`) are those the fixture cases (`Tests/…/geocode_cases.tsv`) were tuned on.
public struct GeocoderPolicy: Sendable, Hashable {
    // MARK: the region
    /// The five countries and Afghanistan: their places are preferred, their misspellings guessed at most readily.
    public var focusCountries: Set<String> = QueryCleaner.focusCountries
    /// The focus countries and their neighbours: the region whose places a misspelling or a short key may stand for.
    public var region: Set<String> = QueryCleaner.region
    /// A neighbour's place inside these longitudes and latitudes is "near the region" (Mashhad, Kashgar, Quetta, Omsk).
    public var nearRegionLongitudes: ClosedRange<Double> = 50...90
    public var nearRegionLatitudes: ClosedRange<Double> = 29...56

    // MARK: scores of a match
    /// A name (or coordinates): 1. An alternate name: `aliasScore`.
    public var aliasScore = 0.97
    /// A respelling (the spelling-insensitive key): `transliteratedScore`.
    public var transliteratedScore = 0.92
    /// A misspelling guess scores `fuzzyScale` × its similarity (1 − edits / length).
    public var fuzzyScale = 0.9
    /// A place named by one word of a longer text ("Tashkent airport"): this share of its score.
    public var withinTextFactor = 0.85
    /// A name found only as a Russian case form ("в Ташкенте", "под Шымкентом"): this share of its score.
    public var caseFormFactor = 0.97
    /// A match outside the country the row gave: this share of its score.
    public var outsideHintFactor = 0.8
    /// Below this score nothing is matched.
    public var minimumScore = 0.72

    // MARK: how close a misspelling must be
    /// A guess at a place in the hinted country or a city of the focus countries needs this score…
    public var fuzzyNeededHintedOrFocusCity = 0.72
    /// …a smaller place of the focus countries, or a neighbour's city near the region, this…
    public var fuzzyNeededFocusOrNearCity = 0.75
    /// …anything else in the world this.
    public var fuzzyNeededElsewhere = 0.78
    /// A "city" for these rules: this many people or more.
    public var cityPopulation = 100_000
    /// A spelling key shorter than this stands only for a place of the region ("Semy" is Semey, not Semi, Benin).
    public var shortKeyLength = 5
    /// No misspelling guess for keys shorter than this.
    public var fuzzyMinimumKeyLength = 4

    // MARK: ranking among candidates
    /// Size: `populationWeight` × log10(population + 1) / 7 (an alias of a city of 350,000 outranks the name of a village).
    public var populationWeight = 0.15
    /// A user's extra gazetteer takes precedence by this much.
    public var extraBonus = 0.5
    /// A shipped border post called by its own name counts like a town of 10,000 ("Alat" is the post, not Alot, India).
    public var shippedPostBonus = 0.06
    /// The hinted country: plus this; another country: minus this.
    public var hintBonus = 0.15
    /// A place in the focus countries outranks one of the same name up to about 2.2 times its size elsewhere.
    public var focusBonus = 0.05

    // MARK: ties
    /// Two candidates whose scores differ by less than this are of the same quality.
    public var tieScoreDifference = 0.005
    /// Of two equal candidates, the larger is taken only when it is this many times bigger…
    public var tiePopulationRatio = 2.0
    /// …or, when both were found by an alternate name they share (often a historic name), this many times.
    public var sharedAliasPopulationRatio = 20.0
    /// A shared alias decides for the place whose own name is within this many edits of what was typed.
    public var tieClosenessEdits = 2
    /// Two places of one text within this distance (m) are one place.
    public var sameTextPlaceDistance = 10_000.0
    /// Candidates closer than this (degrees of latitude, longitude) are one place listed twice.
    public var duplicateLatitude = 0.045
    public var duplicateLongitude = 0.06

    // MARK: provinces
    /// A town lies in a province when GeoNames gives it the province's admin1 code, or within this
    /// multiple of the province's radius.
    public var provinceRadiusFactor = 1.25

    public init() {}

    /// The policy the shipped geocoder uses.
    public static let standard = GeocoderPolicy()

    /// A neighbour's place near the focus countries (Mashhad, Kashgar, Quetta, Omsk; not Saratov or Baku).
    public func isNearRegion(_ p: Place) -> Bool {
        region.contains(p.country) && nearRegionLongitudes.contains(p.location.lon) && nearRegionLatitudes.contains(p.location.lat)
    }
}
