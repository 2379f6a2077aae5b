import FHIRCore
import FHIRProfiles

/// Derives the search index rows of a resource (a protocol so that the store can be tested with other indexers).
public protocol SearchIndexer: Sendable {
    /// The index rows for `resource`.
    func entries(for resource: FHIRResource) -> SearchIndexEntries
}

/// The registry-driven indexer: every search parameter of the resource's type.
extension SearchIndexExtractor: SearchIndexer {}
