import Foundation
import Logging
import Mapping
import Synchronization

/// The mappings in use (HL7v2 and XML lab feeds), swapped as a whole when they are reloaded
/// (`POST /$reload-mappings`), so that a message is always converted by one consistent set.
public final class MappingLibrary: Sendable {
    private let state: Mutex<(MappingSet, XMLLabFeeds)>
    /// The folder the mappings are read from.
    public let directory: URL

    /// Loads the mappings of `directory`.
    public init(directory: URL) throws {
        self.directory = directory
        state = Mutex((try MappingSet.load(from: directory), try XMLLabFeeds.load(from: directory)))
    }

    /// The HL7v2 mappings in use now.
    public var current: MappingSet {
        state.withLock { $0.0 }
    }

    /// The XML lab feed mappings (C-CDA and vendor formats) in use now.
    public var feeds: XMLLabFeeds {
        state.withLock { $0.1 }
    }

    /// Reads the folder again and swaps the new sets in; on error the old ones stay in use and the error is thrown.
    public func reload() throws -> MappingSet {
        let fresh = (try MappingSet.load(from: directory), try XMLLabFeeds.load(from: directory))
        state.withLock { $0 = fresh }
        return fresh.0
    }
}
