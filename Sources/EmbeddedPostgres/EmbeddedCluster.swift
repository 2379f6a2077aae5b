import Foundation
import Logging

/// A private PostgreSQL cluster in a data folder, created on first use and owned by this process.
///
/// It listens only on a Unix socket (no TCP port to collide with), trusts local connections, and stops with
/// `stop()`. When this process is root, the cluster runs as an unprivileged system account.
public final class EmbeddedCluster: Sendable {
    /// How the cluster is set up.
    public struct Options: Sendable, Hashable {
        /// Whether commits are flushed to disk (`fsync`); off only for throwaway test clusters.
        public var durable: Bool
        /// The account to run as when this process is root.
        public var systemUser: String
        /// Extra `postgres -c name=value` settings.
        public var settings: [String: String]

        public init(durable: Bool = true, systemUser: String = "postgres", settings: [String: String] = [:]) {
            self.durable = durable
            self.systemUser = systemUser
            self.settings = settings
        }
    }

    /// The database superuser the cluster is created with.
    public static let superuser = "carebridge"
    /// The port number naming the socket file (no TCP listener is opened).
    public static let port = 5432

    /// The cluster's data folder (absolute).
    public let dataDirectory: String
    /// The folder holding the Unix socket.
    public let socketDirectory: String
    private let binaries: PostgresBinaries
    private let runner: CommandRunner
    private let logger: Logger

    /// The full path of the socket file, for clients.
    public var socketPath: String { "\(socketDirectory)/.s.PGSQL.\(Self.port)" }

    /// Creates the cluster in `dataDirectory` if it has none yet, and starts it.
    public static func start(
        dataDirectory: String,
        options: Options = Options(),
        binaries: PostgresBinaries? = nil,
        logger: Logger = Logger(label: "carebridge.postgres")
    ) throws(EmbeddedPostgresError) -> EmbeddedCluster {
        let located: PostgresBinaries
        if let binaries { located = binaries } else { located = try PostgresBinaries.locate() }
        let cluster = try EmbeddedCluster(dataDirectory: dataDirectory, options: options, binaries: located, logger: logger)
        try cluster.initializeIfNeeded(options: options)
        try cluster.launch(options: options)
        return cluster
    }

    private init(
        dataDirectory: String, options: Options, binaries: PostgresBinaries, logger: Logger
    ) throws(EmbeddedPostgresError) {
        let absolute = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        self.dataDirectory = absolute
        self.binaries = binaries
        self.logger = logger
        self.runner = CommandRunner(runAsUser: CommandRunner.isRoot ? options.systemUser : nil)
        // A Unix socket path must fit in 107 bytes; long data paths get a socket folder under /tmp.
        if absolute.utf8.count + 20 < 100 {
            socketDirectory = absolute
        } else {
            var hasher = Hasher()
            hasher.combine(absolute)
            socketDirectory = "/tmp/carebridge-pg-\(String(UInt(bitPattern: hasher.finalize()), radix: 36))"
        }
    }

    private func initializeIfNeeded(options: Options) throws(EmbeddedPostgresError) {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: dataDirectory + "/PG_VERSION") { return }
        do {
            try fileManager.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dataDirectory)
        } catch {
            throw EmbeddedPostgresError(.dataDirectory, "cannot create \(dataDirectory): \(error)")
        }
        try runner.handOver(dataDirectory)
        logger.info("creating PostgreSQL cluster", metadata: ["dataDirectory": "\(dataDirectory)"])
        var arguments = ["-D", dataDirectory, "-U", Self.superuser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
        if !options.durable { arguments.append("--no-sync") }
        do {
            try runner.run(binaries.path(of: "initdb"), arguments)
        } catch {
            if runner.runAsUser != nil {
                throw EmbeddedPostgresError(
                    .dataDirectory,
                    "\(error.message) (when run as root the cluster belongs to the '\(options.systemUser)' account, "
                        + "which must be able to reach \(dataDirectory); choose a --data-dir it can reach)"
                )
            }
            throw error
        }
    }

    private func launch(options: Options) throws(EmbeddedPostgresError) {
        if socketDirectory != dataDirectory {
            try? FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
            try runner.handOver(socketDirectory)
        }
        let pgctl = binaries.path(of: "pg_ctl")
        if (try? runner.run(pgctl, ["-D", dataDirectory, "status"])) != nil {
            logger.notice("a cluster was left running in \(dataDirectory); restarting it")
            try runner.run(pgctl, ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
        }
        var settings = [
            "listen_addresses": "''",
            "unix_socket_directories": "'\(socketDirectory)'",
            "port": "\(Self.port)",
            "fsync": options.durable ? "on" : "off",
            "synchronous_commit": options.durable ? "on" : "off",
            "full_page_writes": options.durable ? "on" : "off",
            "max_connections": "200",
        ]
        settings.merge(options.settings) { _, new in new }
        let serverOptions = settings.sorted { $0.key < $1.key }.map { "-c \($0.key)=\($0.value)" }.joined(separator: " ")
        logger.info("starting PostgreSQL", metadata: ["dataDirectory": "\(dataDirectory)"])
        let logFile = dataDirectory + "/server.log"
        do {
            try runner.run(
                pgctl, ["-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "-o", serverOptions, "start"], detached: true
            )
        } catch {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            let tail = log.split(separator: "\n").suffix(5).joined(separator: "\n")
            throw EmbeddedPostgresError(.commandFailed, "PostgreSQL did not start: \(error.message)\n\(tail)")
        }
    }

    /// Creates database `name` (owned by the superuser) unless it exists.
    public func createDatabase(_ name: String) throws(EmbeddedPostgresError) {
        let existing = try runner.run(binaries.path(of: "psql"), [
            "-h", socketDirectory, "-p", "\(Self.port)", "-U", Self.superuser, "-d", "postgres", "-tAc",
            "SELECT 1 FROM pg_database WHERE datname = '\(name.replacingOccurrences(of: "'", with: "''"))'",
        ])
        if existing.trimmingCharacters(in: .whitespacesAndNewlines) == "1" { return }
        try runner.run(binaries.path(of: "createdb"), [
            "-h", socketDirectory, "-p", "\(Self.port)", "-U", Self.superuser, name,
        ])
    }

    /// Stops the cluster, letting running transactions finish briefly (`fast` shutdown).
    public func stop() throws(EmbeddedPostgresError) {
        logger.info("stopping PostgreSQL", metadata: ["dataDirectory": "\(dataDirectory)"])
        try runner.run(binaries.path(of: "pg_ctl"), ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
    }
}
