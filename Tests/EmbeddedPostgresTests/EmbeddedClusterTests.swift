import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import Testing

/// A private folder for a cluster of its own, reachable by the `postgres` account when running as root.
private func scratchFolder(_ name: String) -> String {
    let base = geteuid() == 0 ? "/tmp" : NSTemporaryDirectory()
    return "\(base)/carebridge-cluster-test-\(name)-\(UUID().uuidString.prefix(8))"
}

/// A logger for the pools and clusters of these tests, quiet unless something is wrong.
private let quietLogger: Logger = {
    var logger = Logger(label: "carebridge.cluster-tests")
    logger.logLevel = .warning
    return logger
}()

/// Runs `work` with a pool on database `name` of `cluster`.
private func withClient<T: Sendable>(
    _ cluster: EmbeddedCluster, database name: String, _ work: (PostgresClient) async throws -> T
) async throws -> T {
    let configuration = PostgresClient.Configuration(
        unixSocketPath: cluster.socketPath, username: EmbeddedCluster.superuser, password: nil, database: name
    )
    let client = PostgresClient(configuration: configuration, backgroundLogger: quietLogger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await work(client)
    }
}

@Suite("Embedded PostgreSQL cluster", .serialized)
struct EmbeddedClusterTests {
    private var quiet: Logger {
        var logger = Logger(label: "carebridge.cluster-tests")
        logger.logLevel = .warning
        return logger
    }

    @Test("a data folder started again after a stop keeps its databases and data")
    func restartReusesCluster() async throws {
        let folder = scratchFolder("restart")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let options = EmbeddedCluster.Options(durable: false)
        let first = try EmbeddedCluster.start(dataDirectory: folder + "/pg", options: options, logger: quiet)
        try first.createDatabase("kept")
        try await withClient(first, database: "kept") { client in
            try await client.query("CREATE TABLE marker (note text)", logger: quiet)
            try await client.query("INSERT INTO marker VALUES ('still here')", logger: quiet)
        }
        try first.stop()
        let versionFile = try String(contentsOfFile: folder + "/pg/PG_VERSION", encoding: .utf8)

        let second = try EmbeddedCluster.start(dataDirectory: folder + "/pg", options: options, logger: quiet)
        defer { try? second.stop() }
        #expect(second.dataDirectory == first.dataDirectory)
        #expect(try String(contentsOfFile: folder + "/pg/PG_VERSION", encoding: .utf8) == versionFile)
        try second.createDatabase("kept")
        let notes = try await withClient(second, database: "kept") { client in
            var notes: [String] = []
            for try await note in try await client.query("SELECT note FROM marker", logger: quiet).decode(String.self) {
                notes.append(note)
            }
            return notes
        }
        #expect(notes == ["still here"])
    }

    @Test("starting a folder whose cluster is still running restarts it instead of failing")
    func startWhileRunning() throws {
        let folder = scratchFolder("running")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try EmbeddedCluster.start(dataDirectory: folder + "/pg", options: .init(durable: false), logger: quiet)
        let second = try EmbeddedCluster.start(dataDirectory: folder + "/pg", options: .init(durable: false), logger: quiet)
        try second.createDatabase("after_restart")
        try second.stop()
        #expect(first.socketPath == second.socketPath)
    }

    @Test("createDatabase is idempotent, and names with quotes are safe")
    func createDatabaseTwice() async throws {
        let cluster = try ThrowawayCluster.shared()
        let name = "idem_\(UUID().uuidString.prefix(8).lowercased())"
        try cluster.createDatabase(name)
        try cluster.createDatabase(name)
        let odd = "o'brien_\(UUID().uuidString.prefix(6).lowercased())"
        try cluster.createDatabase(odd)
        try cluster.createDatabase(odd)
        let count = try await withClient(cluster, database: "postgres") { client in
            var count = 0
            let rows = try await client.query(
                "SELECT count(*)::int FROM pg_database WHERE datname IN (\(name), \(odd))", logger: quiet
            )
            for try await value in rows.decode(Int.self) { count = value }
            return count
        }
        #expect(count == 2)
    }

    @Test("a data folder that cannot be created gives an EmbeddedPostgresError")
    func uncreatableFolder() throws {
        let file = scratchFolder("file")
        _ = FileManager.default.createFile(atPath: file, contents: Data("not a folder".utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect {
            try EmbeddedCluster.start(dataDirectory: file + "/pg", options: .init(durable: false), logger: quiet)
        } throws: { error in
            guard let error = error as? EmbeddedPostgresError else { return false }
            return error.code == .dataDirectory && error.description.contains(file)
        }
    }

    @Test("a data folder holding something else gives an EmbeddedPostgresError, not a crash")
    func foreignFolder() throws {
        let folder = scratchFolder("foreign")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder + "/notes.txt", contents: Data("hello".utf8))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect {
            try EmbeddedCluster.start(dataDirectory: folder, options: .init(durable: false), logger: quiet)
        } throws: { error in
            guard let error = error as? EmbeddedPostgresError else { return false }
            return (error.code == .dataDirectory || error.code == .commandFailed) && error.message.contains("initdb")
        }
    }

    @Test("a corrupt data folder (PG_VERSION but no cluster) gives an EmbeddedPostgresError")
    func corruptFolder() throws {
        let folder = scratchFolder("corrupt")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder + "/PG_VERSION", contents: Data("16\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect {
            try EmbeddedCluster.start(dataDirectory: folder, options: .init(durable: false), logger: quiet)
        } throws: { error in
            guard let error = error as? EmbeddedPostgresError else { return false }
            return !error.message.isEmpty
        }
    }

    @Test("binaries are looked up where configured, and a wrong folder is a clear error")
    func binaries() throws {
        #expect {
            try PostgresBinaries.locate(environment: ["CAREBRIDGE_PG_BINDIR": "/nonexistent/bin"])
        } throws: { error in
            (error as? EmbeddedPostgresError)?.code == .binariesNotFound
        }
        let found = try PostgresBinaries.locate(environment: ["PATH": "/usr/bin:/bin"])
        #expect(FileManager.default.isExecutableFile(atPath: found.path(of: "initdb")))
    }
}
