import Foundation

/// Runs PostgreSQL's command-line programs, as an unprivileged user when this process is root.
///
/// `initdb` and `postgres` refuse to run as root, so when the hub runs as root every command goes through
/// `runuser -u USER --`, where USER is the system account (the Debian package's `postgres`).
struct CommandRunner: Sendable {
    /// The account to run as when this process is root; nil when not root.
    let runAsUser: String?

    init(runAsUser: String?) {
        self.runAsUser = runAsUser
    }

    /// Whether this process runs as root.
    static var isRoot: Bool { geteuid() == 0 }

    /// Runs `executable` with `arguments` and returns its combined output; throws when it exits non-zero.
    ///
    /// With `detached`, output goes to /dev/null instead: `pg_ctl start` leaves a server running that
    /// inherits the output descriptors, so reading them to the end would never finish.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], detached: Bool = false, environment: [String: String] = [:])
        throws(EmbeddedPostgresError) -> String
    {
        let command = runAsUser.map { ["/usr/sbin/runuser", "-u", $0, "--", executable] } ?? [executable]
        var processEnvironment = ProcessInfo.processInfo.environment
        processEnvironment["LC_ALL"] = "C.UTF-8"
        processEnvironment.merge(environment) { _, new in new }
        let (status, text) = try ChildProcess.run(
            command[0], Array(command.dropFirst()) + arguments, environment: processEnvironment, discardOutput: detached
        )
        guard status == 0 else {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            throw EmbeddedPostgresError(
                .commandFailed,
                "\(name) exited with status \(status): \(text.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        return text
    }

    /// Gives `path` to the unprivileged account (only when running as root).
    func handOver(_ path: String) throws(EmbeddedPostgresError) {
        guard let runAsUser else { return }
        let (status, text) = try ChildProcess.run(
            "/bin/chown", ["-R", "\(runAsUser):", path], environment: ProcessInfo.processInfo.environment, discardOutput: false
        )
        guard status == 0 else {
            throw EmbeddedPostgresError(.commandFailed, "chown of \(path) to \(runAsUser) failed: \(text)")
        }
    }
}
