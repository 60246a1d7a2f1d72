// swift-tools-version: 6.0
// Benchmarks: a separate package so CI never builds them. `make bench` runs Benchmarks/run.sh.
import PackageDescription

let package = Package(
    name: "CaravanBenchmarks",
    dependencies: [.package(name: "Caravan", path: "..")],
    targets: [
        .executableTarget(name: "caravan-bench", dependencies: [.product(name: "CaravanKit", package: "Caravan")],
                          swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
    ]
)
