import Foundation

extension ProfileRegistry {
    /// The environment variable that names the `profiles/` folder explicitly.
    public static let directoryEnvironmentVariable = "CAREBRIDGE_PROFILES_DIR"

    /// Finds the `profiles/` folder: `$CAREBRIDGE_PROFILES_DIR`, else `./profiles`, else a `profiles/` folder
    /// next to the executable or in one of its parent folders (so `swift run` and `swift test` find the
    /// repository's tables from `.build/...`).
    public static func locateDefaultDirectory() throws -> URL {
        let fileManager = FileManager.default
        func holdsTables(_ url: URL) -> Bool {
            fileManager.fileExists(atPath: url.appendingPathComponent("structures.json").path)
        }
        if let explicit = ProcessInfo.processInfo.environment[directoryEnvironmentVariable], !explicit.isEmpty {
            let url = URL(fileURLWithPath: explicit, isDirectory: true)
            guard holdsTables(url) else {
                throw ProfilesError(
                    .directoryNotFound, "\(directoryEnvironmentVariable) names \(explicit), which holds no structures.json")
            }
            return url
        }
        var tried: [String] = []
        let current = URL(fileURLWithPath: fileManager.currentDirectoryPath, isDirectory: true)
            .appendingPathComponent("profiles", isDirectory: true)
        if holdsTables(current) { return current }
        tried.append(current.path)
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? ".")
        var folder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        while true {
            let candidate = folder.appendingPathComponent("profiles", isDirectory: true)
            if holdsTables(candidate) { return candidate }
            tried.append(candidate.path)
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path || folder.path == "/" { break }
            folder = parent
        }
        throw ProfilesError(
            .directoryNotFound,
            "No profiles folder found; set \(directoryEnvironmentVariable). Looked in: \(tried.joined(separator: ", "))")
    }

    /// Loads the tables from `locateDefaultDirectory()`.
    public static func loadDefault() throws -> ProfileRegistry {
        try load(from: locateDefaultDirectory())
    }
}
