// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Caravan",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "CaravanKit", targets: ["CaravanKit"]),
        .executable(name: "caravan", targets: ["caravan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C libraries, reached only through CaravanKit.
        // GDAL's and PROJ's headers only: both libraries load on first use (CLazyLibraries), so a
        // command that needs neither (geocoding a CSV, --help) does not wait for GDAL's 114 libraries.
        .systemLibrary(name: "CGDAL", path: "Sources/CGDAL", providers: [.apt(["libgdal-dev"])]),
        .systemLibrary(name: "CGEOS", path: "Sources/CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", path: "Sources/CPROJ", providers: [.apt(["libproj-dev"])]),
        .target(name: "CLazyLibraries", exclude: ["symbols.def"], linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "pangocairo", providers: [.apt(["libcairo2-dev", "libpango1.0-dev"])]),
        // The library, organised by capability (Support, Geometry, Projection, IO, ...).
        .target(name: "CaravanKit", dependencies: ["CGDAL", "CGEOS", "CPROJ", "CLazyLibraries", "CCairo", .product(name: "Yams", package: "Yams")],
                resources: [.copy("Resources/gazetteer.tsv"), .copy("Resources/border_posts.geojson"),
                            .copy("Resources/basemap.gpkg"), .copy("Resources/basemap_places.tsv")]),
        // The command line: parse, validate, call the library, print.
        .target(name: "CaravanCLI", dependencies: [
            "CaravanKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "caravan", dependencies: ["CaravanCLI"]),
        // Fuzz harnesses (make fuzz builds them with libFuzzer; built normally, they replay inputs).
        .executableTarget(name: "caravan-fuzz", dependencies: ["CaravanKit"]),
        .testTarget(name: "CaravanKitTests", dependencies: ["CaravanKit"], exclude: ["Geocoding/Fixtures", "Network/Fixtures"]),
        .testTarget(name: "CaravanCLITests", dependencies: ["CaravanCLI", "CaravanKit"]),
    ]
)
