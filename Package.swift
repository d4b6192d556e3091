// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "mailkeys",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mailkeys", targets: ["mailkeys"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        /// libldns, found through pkg-config (Debian: libldns-dev).
        .systemLibrary(
            name: "CLDNS",
            pkgConfig: "ldns",
            providers: [.apt(["libldns-dev"])]
        ),
        /// OpenSSL's libcrypto (Debian: libssl-dev).
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        /// Pure Swift: names, addresses, record builders, policy, zone rendering, planner. Imports no C.
        .target(name: "MailKeysCore"),
        /// The SQLite key store (GRDB), with named append-only migrations.
        .target(
            name: "MailKeysStore",
            dependencies: ["MailKeysCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        /// Wrappers over libldns and OpenSSL that own their C pointers.
        .target(name: "MailKeysDNS", dependencies: ["MailKeysCore", "CLDNS", "COpenSSL"]),
        /// Use cases: home, policy loading, zone build, tick, status.
        .target(
            name: "MailKeysKit",
            dependencies: [
                "MailKeysCore", "MailKeysStore", "MailKeysDNS",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "mailkeys",
            dependencies: [
                "MailKeysKit", "MailKeysCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "MailKeysCoreTests", dependencies: ["MailKeysCore"]),
        /// The store against in-memory databases; GRDB to write rows the API would refuse.
        .testTarget(
            name: "MailKeysStoreTests",
            dependencies: ["MailKeysStore", "MailKeysCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        /// White-box tests of the libldns and OpenSSL wrappers; no peers, no binary.
        .testTarget(name: "MailKeysDNSTests", dependencies: ["MailKeysDNS", "MailKeysCore"]),
        /// The use-case layer's own types, without a home or peers.
        .testTarget(
            name: "MailKeysKitTests",
            dependencies: ["MailKeysKit", "MailKeysCore", "MailKeysDNS", "MailKeysStore"]
        ),
        .testTarget(
            name: "MailKeysIntegrationTests",
            dependencies: ["MailKeysKit", "MailKeysCore", "MailKeysStore"],
            exclude: ["Snapshots", "Scripts"]
        ),
    ]
)
