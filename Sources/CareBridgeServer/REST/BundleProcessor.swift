import FHIRCore
import Foundation
import NIOCore
import Store

/// Processes batch and transaction Bundles (https://hl7.org/fhir/R4/http.html#transaction).
///
/// A transaction runs in one database transaction: DELETE entries run first; then, when it has several conditional
/// creates and updates, their single-token criteria are looked up together, and those nothing matches locked
/// (`PreparedTransaction.lookUpAhead`); then `urn:uuid:` full URLs get their ids (conditional creates and updates
/// are matched under their locks at that point, from what was looked up ahead while the transaction's own writes
/// cannot have changed it), references are rewritten, and the entries run in the order POST, PUT/PATCH, GET. The
/// first failing entry rolls everything back.
struct BundleProcessor: Sendable {
    let handler: RestHandler

    func process(_ request: FHIRRequest, base: String) async throws -> FHIRResponse {
        guard let body = request.body, body.readableBytes > 0 else {
            throw FHIRError(400, code: "required", "POST to the base needs a batch or transaction Bundle")
        }
        let bundle = try FHIRResource(parsing: body.readableBytesView)
        guard bundle.resourceType == "Bundle" else {
            throw FHIRError(400, code: "invalid", "POST to the base takes a Bundle, not a \(bundle.resourceType)", expression: ["resourceType"])
        }
        let type = bundle.json["type"]?.stringValue ?? ""
        guard type == "batch" || type == "transaction" else {
            throw FHIRError(400, code: "invalid", "Bundle.type must be batch or transaction, not '\(type)'", expression: ["Bundle.type"])
        }
        let entries = bundle.json["entry"]?.arrayValue ?? []
        guard entries.count <= handler.limits.maximumBundleEntries else {
            throw FHIRError(413, code: "too-costly", "The Bundle has \(entries.count) entries; at most \(handler.limits.maximumBundleEntries) are accepted")
        }
        if type == "batch" { return try await batch(entries, request, base: base) }
        var parsed: [BundleEntryRequest] = []
        for (index, entry) in entries.enumerated() {
            parsed.append(try BundleEntryRequest(entry: entry, index: index, preferReturn: request.preferReturn))
        }
        let prepared = prepared(parsed)
        let responses = try await handler.store.withTransaction { session in
            try await transaction(prepared, in: session, base: base, lookingAhead: true)
        }
        // The entries are audited once they are committed (a failed transaction is audited as a whole).
        for (entry, response) in zip(parsed, responses) {
            handler.recordAudit(entry.finalRequest, response)
        }
        var writer = BundleWriter(type: "transaction-response")
        writer.entries = responses.map { Self.responseEntry($0, base: base) }
        return FHIRResponse(status: 200, body: .json(writer.bytes()))
    }

    /// Reads transaction Bundle `bundle` for `applyTransaction`: its entries, and the criteria of its conditional
    /// creates and updates (which an ingest batch looks up ahead, `PreparedTransaction.lookups`), each once.
    /// Throws 400 when it is no transaction Bundle or an entry lacks its request.
    func prepareTransaction(_ bundle: FHIRResource) throws -> PreparedTransaction {
        guard bundle.resourceType == "Bundle", bundle.json["type"]?.stringValue == "transaction" else {
            throw FHIRError(400, code: "invalid", "a transaction Bundle is needed")
        }
        let entries = bundle.json["entry"]?.arrayValue ?? []
        var parsed: [BundleEntryRequest] = []
        for (index, entry) in entries.enumerated() {
            parsed.append(try BundleEntryRequest(entry: entry, index: index, preferReturn: .minimal))
        }
        return prepared(parsed)
    }

    /// `entries` with the criteria of the conditional ones (or the error reading them gave, thrown when the entry
    /// is planned, as if read then).
    private func prepared(_ entries: [BundleEntryRequest]) -> PreparedTransaction {
        PreparedTransaction(entries: entries, criteria: entries.map { entry in Result { try criteria(of: entry) } })
    }

    /// Runs the entries of a prepared transaction Bundle in `session`, which the caller has put in a database
    /// transaction (so that it can write more in the same commit, e.g. an inbound log status); returns the
    /// `Type/id` each entry wrote, in entry order. Throws the first entry's failure. `lookingAhead` as for a
    /// transaction of its own; without it (the caller looked up the criteria of several transactions together),
    /// each conditional entry is matched on its own.
    func applyTransaction(
        _ prepared: PreparedTransaction, in session: StoreSession, base: String, lookingAhead: Bool
    ) async throws -> [String] {
        try await transaction(prepared, in: session, base: base, lookingAhead: lookingAhead).compactMap { response in
            response.location.map { Self.resourcePath(of: $0).map(String.init) ?? $0 }
        }
    }

    private func batch(_ entries: [JSONValue], _ request: FHIRRequest, base: String) async throws -> FHIRResponse {
        var writer = BundleWriter(type: "batch-response")
        for (index, entry) in entries.enumerated() {
            let response: FHIRResponse
            do {
                let entryRequest = try BundleEntryRequest(entry: entry, index: index, preferReturn: request.preferReturn)
                if entryRequest.request.path.isEmpty {
                    throw FHIRError(400, code: "not-supported", "Bundle.entry[\(index)]: a Bundle cannot be nested")
                }
                response = await handler.handle(entryRequest.finalRequest, base: base)
            } catch {
                response = FHIRResponse(RestHandler.fhirError(error, logger: handler.logger))
            }
            writer.entries.append(Self.responseEntry(response, base: base))
        }
        return FHIRResponse(status: 200, body: .json(writer.bytes()))
    }

    private func transaction(
        _ prepared: PreparedTransaction, in session: StoreSession, base: String, lookingAhead: Bool
    ) async throws -> [FHIRResponse] {
        var entries = prepared.entries
        var responses = [FHIRResponse?](repeating: nil, count: entries.count)
        var changed: Set<String> = []
        // Deletes run before anything is matched, so conditional creates and updates see their effect.
        for entry in entries where entry.processingRank == 0 {
            responses[entry.index] = try await run(entry, plan: .asIs, session: session, base: base, changed: &changed)
        }
        entries.removeAll { $0.processingRank == 0 }
        if lookingAhead { try await prepared.lookUpAhead(in: session) }
        var resolver = ReferenceResolver(registry: handler.registry)
        var plans: [Int: EntryPlan] = [:]
        for entry in entries {
            plans[entry.index] = try await plan(entry, criteria: prepared.criteria[entry.index], session: session, resolver: &resolver)
        }
        for position in entries.indices {
            guard var resource = entries[position].resource else { continue }
            resource.json = try await resolver.rewrite(resource.json, session: session, entry: entries[position].index)
            entries[position].resource = resource
        }
        for entry in entries.sorted(by: { ($0.processingRank, $0.index) < ($1.processingRank, $1.index) }) {
            responses[entry.index] = try await run(
                entry, plan: plans[entry.index] ?? .asIs, session: session, base: base, changed: &changed
            )
        }
        return responses.compactMap { $0 }
    }

    /// Runs one entry; any failure becomes the error of the whole transaction, located at the entry. A write
    /// to a resource that an earlier entry already changed fails too (the transaction rules forbid overlap).
    private func run(
        _ entry: BundleEntryRequest, plan: EntryPlan, session: StoreSession, base: String, changed: inout Set<String>
    ) async throws -> FHIRResponse {
        let response: FHIRResponse
        do {
            response = try await execute(entry, plan: plan, session: session, base: base)
        } catch {
            throw Self.located(RestHandler.fhirError(error, logger: handler.logger), entry: entry.index)
        }
        if response.status >= 400 {
            throw Self.located(FHIRError(response.status, Self.outcome(of: response)), entry: entry.index)
        }
        if entry.processingRank < 3, let identity = Self.identity(of: entry, response) {
            guard changed.insert(identity).inserted else {
                let error = FHIRError(400, code: "invalid", "\(identity) is changed by more than one entry of the transaction")
                throw Self.located(error, entry: entry.index)
            }
        }
        return response
    }

    /// The `Type/id` an entry wrote (from its `Location`, or the URL of a delete by id).
    private static func identity(of entry: BundleEntryRequest, _ response: FHIRResponse) -> String? {
        if let location = response.location, let path = resourcePath(of: location) {
            return String(path)
        }
        return entry.request.path.count == 2 ? entry.request.path.joined(separator: "/") : nil
    }

    /// `Type/id` of a `Location` such as `Patient/1/_history/2` (what comes before `/_history/`), or nil when it
    /// names no version.
    static func resourcePath(of location: String) -> Substring? {
        let bytes = location.utf8
        var start = bytes.startIndex
        while let slash = bytes[start...].firstIndex(of: UInt8(ascii: "/")) {
            if bytes[slash...].starts(with: historyMarker) { return location[..<slash] }
            start = bytes.index(after: slash)
        }
        return nil
    }

    private static let historyMarker = Array("/_history/".utf8)
}

/// A transaction Bundle read once (`BundleProcessor.prepareTransaction`): its entries in Bundle order, and for
/// each the criteria of a conditional create or update (nil for other entries), or why they do not read.
struct PreparedTransaction: Sendable {
    let entries: [BundleEntryRequest]
    let criteria: [Result<SearchQuery?, any Error>]

    /// The criteria that read, for `StoreSession.prefetchMatches` (those that do not are refused when the
    /// transaction is applied).
    var lookups: [SearchQuery] {
        criteria.compactMap { try? $0.get() }
    }

    /// Looks this transaction's criteria up ahead in `session` (in a database transaction) when there are several:
    /// one statement instead of one per conditional entry. A lone criterion is looked up by its entry, as cheaply.
    func lookUpAhead(in session: StoreSession) async throws {
        let lookups = lookups
        if lookups.count > 1 { try await session.prefetchMatches(lookups) }
    }
}
