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
    ],
    targets: [
        // C libraries, reached only through CaravanKit.
        .systemLibrary(name: "CGDAL", path: "Sources/CGDAL", pkgConfig: "gdal", providers: [.apt(["libgdal-dev"])]),
        .systemLibrary(name: "CGEOS", path: "Sources/CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", path: "Sources/CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        // The library, organised by capability (Support, Geometry, Projection, IO, ...).
        .target(name: "CaravanKit", dependencies: ["CGDAL", "CGEOS", "CPROJ"],
                resources: [.copy("Resources/gazetteer.tsv"), .copy("Resources/border_posts.geojson")],
                swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        // The command line: parse, validate, call the library, print.
        .target(name: "CaravanCLI", dependencies: [
            "CaravanKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "caravan", dependencies: ["CaravanCLI"]),
        .testTarget(name: "CaravanKitTests", dependencies: ["CaravanKit"], exclude: ["Geocoding/Fixtures", "Network/Fixtures"]),
        .testTarget(name: "CaravanCLITests", dependencies: ["CaravanCLI", "CaravanKit"]),
    ]
)
