import Foundation
import Logging

/// A cluster for tests: one per test process, in a temporary folder, not durable, removed at exit.
///
/// Suites ask it for a fresh database each (`CREATE DATABASE` takes ~0.1 s), so they never see each
/// other's data and can run in parallel.
public enum ThrowawayCluster {
    private static let state = ClusterState()

    /// The shared test cluster, started on first use.
    public static func shared() throws(EmbeddedPostgresError) -> EmbeddedCluster {
        try state.cluster()
    }

    /// A new, empty database in the shared test cluster; returns its name.
    public static func makeDatabase(prefix: String = "test") throws(EmbeddedPostgresError) -> (EmbeddedCluster, String) {
        let cluster = try shared()
        let name = "\(prefix.lowercased())_\(UUID().uuidString.prefix(8).lowercased())"
        try cluster.createDatabase(name)
        return (cluster, name)
    }

    fileprivate static func stopAtExit() {
        state.stopIfStarted()
    }
}

/// Holds the one test cluster of this process.
///
/// `@unchecked Sendable`: every access to `started` happens under `lock`.
private final class ClusterState: @unchecked Sendable {
    private let lock = NSLock()
    private var started: EmbeddedCluster?
    private var folder: String?

    func cluster() throws(EmbeddedPostgresError) -> EmbeddedCluster {
        lock.lock()
        defer { lock.unlock() }
        if let started { return started }
        let base = CommandRunner.isRoot ? "/tmp" : NSTemporaryDirectory()
        let folder = "\(base)/carebridge-test-\(getpid())-\(UUID().uuidString.prefix(6))"
        var logger = Logger(label: "carebridge.test-postgres")
        logger.logLevel = .warning
        let cluster = try EmbeddedCluster.start(
            dataDirectory: folder + "/pg",
            // Suites run in parallel, each with its own connection pool.
            options: .init(durable: false, settings: ["max_connections": "600"]), logger: logger
        )
        started = cluster
        self.folder = folder
        atexit { ThrowawayCluster.stopAtExit() }
        return cluster
    }

    func stopIfStarted() {
        lock.lock()
        defer { lock.unlock() }
        guard let started, let folder else { return }
        try? started.stop()
        try? FileManager.default.removeItem(atPath: folder)
        self.started = nil
    }
}
