import Foundation
import Logging
import Mapping
import Synchronization

/// The mappings in use, swapped as a whole when they are reloaded (`POST /$reload-mappings`), so that a
/// message is always converted by one consistent set.
public final class MappingLibrary: Sendable {
    private let state: Mutex<MappingSet>
    /// The folder the mappings are read from.
    public let directory: URL

    /// Loads the mappings of `directory`.
    public init(directory: URL) throws {
        self.directory = directory
        state = Mutex(try MappingSet.load(from: directory))
    }

    /// The set in use now.
    public var current: MappingSet {
        state.withLock { $0 }
    }

    /// Reads the folder again and swaps the new set in; on error the old set stays in use and the error is thrown.
    public func reload() throws -> MappingSet {
        let fresh = try MappingSet.load(from: directory)
        state.withLock { $0 = fresh }
        return fresh
    }
}
