#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program to completion with `posix_spawn` and `waitpid`.
///
/// Foundation's `Process` reaps children from a signal handler of its own, and was seen to miss the exit of
/// `runuser` around `pg_ctl start`, hanging the caller; waiting on the one pid directly cannot miss it.
enum ChildProcess {
    /// The exit status and (unless `discardOutput`) the combined standard output and error.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], discardOutput: Bool
    ) throws(EmbeddedPostgresError) -> (status: Int32, output: String) {
        var pipeDescriptors: [Int32] = [-1, -1]
        if !discardOutput, pipe(&pipeDescriptors) != 0 {
            throw EmbeddedPostgresError(.commandFailed, "cannot create a pipe: errno \(errno)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if discardOutput {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, pipeDescriptors[1], 1)
            posix_spawn_file_actions_adddup2(&actions, pipeDescriptors[1], 2)
            posix_spawn_file_actions_addclose(&actions, pipeDescriptors[0])
            posix_spawn_file_actions_addclose(&actions, pipeDescriptors[1])
        }
        closeInheritedDescriptors(&actions)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawnResult = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        if !discardOutput { close(pipeDescriptors[1]) }
        guard spawnResult == 0 else {
            if !discardOutput { close(pipeDescriptors[0]) }
            throw EmbeddedPostgresError(.commandFailed, "cannot start \(executable): error \(spawnResult)")
        }
        var output: [UInt8] = []
        if !discardOutput {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(pipeDescriptors[0], &buffer, buffer.count)
                if count > 0 {
                    output.append(contentsOf: buffer[0..<count])
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
            close(pipeDescriptors[0])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw EmbeddedPostgresError(.commandFailed, "waitpid failed: errno \(errno)") }
        }
        let exitStatus: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (exitStatus, String(decoding: output, as: UTF8.self))
    }

    /// Adds the action that closes every descriptor from 3 on in the child (glibc 2.34's
    /// `posix_spawn_file_actions_addclosefrom_np`, looked up at run time: the C library module does not declare
    /// GNU extensions). SwiftNIO opens its sockets without close-on-exec, so a PostgreSQL server started while the
    /// process has connections open would otherwise hold them for as long as it runs, and their peers would never
    /// see them close.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        #if canImport(Glibc)
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let library = dlopen(nil, RTLD_NOW) else { return }
        defer { dlclose(library) }
        guard let symbol = dlsym(library, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        #endif
    }
}
