import Foundation

/// Where PostgreSQL's server programs (`initdb`, `pg_ctl`, `postgres`) are.
public struct PostgresBinaries: Sendable, Hashable {
    /// The folder holding the programs.
    public let directory: String

    /// Uses the programs in `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// The path of program `name`.
    public func path(of name: String) -> String { directory + "/" + name }

    /// Finds the programs: `CAREBRIDGE_PG_BINDIR`, else the newest `/usr/lib/postgresql/N/bin` (Debian's layout),
    /// else the folder of an `initdb` on `PATH`.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(EmbeddedPostgresError) -> PostgresBinaries {
        let fileManager = FileManager.default
        if let configured = environment["CAREBRIDGE_PG_BINDIR"], !configured.isEmpty {
            guard fileManager.isExecutableFile(atPath: configured + "/initdb") else {
                throw EmbeddedPostgresError(.binariesNotFound, "CAREBRIDGE_PG_BINDIR=\(configured) has no initdb")
            }
            return PostgresBinaries(directory: configured)
        }
        let debianRoot = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: debianRoot)) ?? [])
            .compactMap { name in Int(name).map { (name, $0) } }
            .sorted { $0.1 > $1.1 }
        for (name, _) in versions where fileManager.isExecutableFile(atPath: "\(debianRoot)/\(name)/bin/initdb") {
            return PostgresBinaries(directory: "\(debianRoot)/\(name)/bin")
        }
        for folder in (environment["PATH"] ?? "").split(separator: ":") {
            if fileManager.isExecutableFile(atPath: "\(folder)/initdb") {
                return PostgresBinaries(directory: String(folder))
            }
        }
        throw EmbeddedPostgresError(
            .binariesNotFound,
            "PostgreSQL server programs not found; install them with `apt-get install -y postgresql` "
                + "or set CAREBRIDGE_PG_BINDIR, or give a DATABASE_URL"
        )
    }
}
