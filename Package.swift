// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Paramiko",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SSHWire", targets: ["SSHWire"]),
        .library(name: "SSHCrypto", targets: ["SSHCrypto"]),
        .library(name: "SSHConfig", targets: ["SSHConfig"]),
        .library(name: "SSHTransport", targets: ["SSHTransport"]),
        .library(name: "SSHAuth", targets: ["SSHAuth"]),
        .library(name: "SSHConnection", targets: ["SSHConnection"]),
        .library(name: "SFTP", targets: ["SFTP"]),
        .library(name: "SSHClient", targets: ["SSHClient"]),
        .library(name: "SSHServer", targets: ["SSHServer"]),
        .executable(name: "paramiko", targets: ["paramiko"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
    ],
    targets: [
        // C shims
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .systemLibrary(
            name: "CGSSAPI",
            providers: [.apt(["libkrb5-dev"]), .brew(["krb5"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),

        // Level 0
        .target(
            name: "SSHWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SSHCrypto",
            dependencies: [
                "SSHWire",
                "COpenSSL",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SSHConfig",
            swiftSettings: swiftSettings
        ),

        // Level 1
        .target(
            name: "SSHTransport",
            dependencies: [
                "SSHWire",
                "SSHCrypto",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // Level 2
        .target(
            name: "SSHAuth",
            dependencies: [
                "SSHWire", "SSHCrypto", "SSHTransport", "SSHConfig", "CGSSAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "SSHConnection",
            dependencies: [
                "SSHWire", "SSHCrypto", "SSHTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "SFTP",
            dependencies: ["SSHWire", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),

        // Level 3
        .target(
            name: "SSHClient",
            dependencies: [
                "SSHWire", "SSHCrypto", "SSHTransport", "SSHAuth", "SSHConnection", "SFTP", "SSHConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "SSHServer",
            dependencies: [
                "SSHWire", "SSHCrypto", "SSHTransport", "SSHAuth", "SSHConnection",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Level 4: the command-line tool
        .executableTarget(
            name: "paramiko",
            dependencies: [
                "SSHWire",
                "SSHCrypto",
                "SSHConfig",
                "SSHTransport",
                "SSHAuth",
                "SSHConnection",
                "SFTP",
                "SSHClient",
                "SSHServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Tests
        .target(
            name: "SSHTestSupport",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            path: "Tests/SSHTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SSHWireTests",
            dependencies: ["SSHWire", "SSHTestSupport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SSHCryptoTests",
            dependencies: ["SSHCrypto", "SSHWire", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SSHTransportTests",
            dependencies: [
                "SSHTransport", "SSHWire", "SSHCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InteropTests",
            dependencies: [
                "SSHTransport", "SSHWire", "SSHCrypto", "SSHAuth", "SSHConnection", "SSHClient", "SFTP",
                "SSHTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SSHAuthTests",
            dependencies: [
                "SSHAuth", "SSHCrypto", "SSHTransport", "SSHWire", "SSHTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SSHConnectionTests",
            dependencies: ["SSHConnection", "SSHWire", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SFTPTests",
            dependencies: [
                "SFTP", "SSHWire", "SSHCrypto", "SSHTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SSHClientTests",
            dependencies: [
                "SSHClient", "SSHConnection", "SSHWire", "SSHCrypto", "SSHAuth", "SSHTransport", "SSHConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SSHServerTests",
            dependencies: [
                "SSHServer", "SSHConnection", "SSHAuth", "SSHTransport", "SSHCrypto", "SSHWire", "SSHTestSupport", "SFTP",
                "SSHClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SSHConfigTests",
            dependencies: ["SSHConfig", "SSHTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
