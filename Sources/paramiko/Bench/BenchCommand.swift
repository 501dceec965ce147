import ArgumentParser

/// `paramiko bench`: measurements that `make bench` runs and compares with OpenSSH and libcrypto.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure this implementation's speed.",
        subcommands: [
            CipherBenchCommand.self, TransportBenchCommand.self, LatencyBenchCommand.self, EndToEndBenchCommand.self,
            SFTPBenchCommand.self,
        ]
    )
}
