import Authorization
import FHIRCore
import Foundation
import HL7v2
import HTTPTypes
import Hummingbird
import Mapping
import NIOCore
import Store

/// HL7v2 and XML lab feeds over HTTP, and the inbound log API:
/// - `POST /fhir/$ingest`: one message or a batch (`application/hl7-v2`, `x-application/hl7-v2+er7`), answered
///   with the ACK(s), like MLLP; or one XML document (`application/xml`, `text/xml`: HL7 v2.xml, C-CDA, or a
///   vendor format, detected or named by `?format=cda|NAME`), answered with the outcome as JSON;
/// - `POST /fhir/$convert`: the transaction Bundle a message maps to, without storing anything;
/// - `POST /fhir/$reload-mappings`: reads the mappings folder again;
/// - `GET /inbound/messages[?status=&type=&sender=&control-id=&since=&_count=&_offset=]`, `GET /inbound/messages/{id}`;
/// - `POST /inbound/messages/{id}/$replay`, `POST /inbound/messages/$replay?status=error`.
struct IngestRoutes: Sendable {
    let pipeline: IngestPipeline
    let maximumBodySize: Int

    static let hl7MediaTypes: Set<String> = ["application/hl7-v2", "x-application/hl7-v2+er7", "application/edi-hl7v2", "text/plain"]
    static let xmlMediaTypes: Set<String> = ["application/xml", "text/xml", "application/hl7-v2+xml", "application/hl7-cda+xml"]

    func add(to router: Router<HubRequestContext>) {
        let ingesting = router.group().add(middleware: HubScopeMiddleware(scope: HubScope.ingest))
        ingesting.post("fhir/$ingest") { request, context in await answer { try await ingest(request, context) } }
        ingesting.post("fhir/$convert") { request, _ in await answer { try await convert(request) } }
        let administering = router.group().add(middleware: HubScopeMiddleware(scope: HubScope.admin))
        administering.post("fhir/$reload-mappings") { _, _ in await answer { try reload() } }
        administering.get("inbound/messages") { request, _ in await answer { try await list(request) } }
        administering.get("inbound/messages/:id") { _, context in await answer { try await show(context) } }
        administering.post("inbound/messages/:id/$replay") { _, context in await answer { try await replay(context) } }
        administering.post("inbound/messages/$replay") { request, context in await answer { try await replayAll(request, context) } }
    }

    /// The response of `work`, or its error as an OperationOutcome with the error's status.
    private func answer(_ work: () async throws -> Response) async -> Response {
        do {
            return try await work()
        } catch {
            let fhirError = RestHandler.fhirError(error, logger: pipeline.logger)
            return FHIRRoutes.response(fhirError)
        }
    }

    private func body(_ request: Request) async throws -> [UInt8] {
        var request = request
        let type = request.headers[.contentType].map(ContentNegotiation.mediaType)
        guard let type, Self.hl7MediaTypes.contains(type) || Self.xmlMediaTypes.contains(type) else {
            throw FHIRError(
                415, code: "not-supported",
                "Send HL7v2 as application/hl7-v2 or x-application/hl7-v2+er7, XML lab feeds as application/xml or text/xml")
        }
        var buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBodySize)
        } catch {
            throw FHIRError(413, code: "too-costly", "The message is larger than the limit of \(maximumBodySize) bytes")
        }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    private func ingest(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        let raw = try await body(request)
        if IngestPipeline.Received.isXML(raw) {
            let outcome = await pipeline.ingest(
                raw, source: .http, format: try Self.format(request), grant: context.access, remoteAddress: context.remoteAddress
            )
            let status: HTTPResponse.Status = switch (outcome.status, outcome.acknowledgement.value("MSA-1")) {
            case (.processed, _), (.duplicate, _): .ok
            case (_, "AR"): .badRequest
            default: .unprocessableContent
            }
            return Self.json(outcome.json, status: status, fhir: false)
        }
        var acknowledgements: [UInt8] = []
        var ids: [String] = []
        let messages = IngestPipeline.messages(in: raw)
        let outcomes = messages.count == 1
            ? [await pipeline.ingest(raw, source: .http, grant: context.access, remoteAddress: context.remoteAddress)]
            : await pipeline.ingest(sequence: messages, source: .http, grant: context.access, remoteAddress: context.remoteAddress)
        for outcome in outcomes {
            acknowledgements += outcome.acknowledgementBytes
            if let id = outcome.logID { ids.append(String(id)) }
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/hl7-v2; charset=utf-8"
        if let name = HTTPField.Name("X-CareBridge-Inbound-Id") { headers[name] = ids.joined(separator: ",") }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: acknowledgements)))
    }

    /// `?format=cda` or `?format=NAME` (a vendor mapping) on `$ingest`; nil detects the format.
    private static func format(_ request: Request) throws -> XMLFeedKind? {
        guard let name = request.uri.queryParameters.get("format"), !name.isEmpty else { return nil }
        if name.lowercased() == "cda" || name.lowercased() == "c-cda" { return .cda }
        return .vendor(name.hasPrefix("vendor:") ? String(name.dropFirst("vendor:".count)) : name)
    }

    private func convert(_ request: Request) async throws -> Response {
        let raw = try await body(request)
        if IngestPipeline.Received.isXML(raw) { return try convertXML(raw, format: try Self.format(request)) }
        let message: HL7Message
        do {
            message = try HL7Message(parsing: raw)
        } catch {
            throw FHIRError(400, code: "structure", "The message does not parse: \(error)")
        }
        do {
            let result = try pipeline.mappings.current.convert(message, context: MappingContext(receivedAt: Date(), messageID: "convert"))
            return Self.json(.object(result.bundle.json), status: .ok, fhir: true)
        } catch {
            throw FHIRError(error.kind == .unsupportedMessageType ? 400 : 422, code: "processing", error.description)
        }
    }

    private func reload() throws -> Response {
        do {
            let set = try pipeline.mappings.reload()
            let outcome = OperationOutcome(issues: [OperationOutcome.Issue(
                severity: "information", code: "informational",
                diagnostics: "Loaded mappings for \(set.messageTypes.joined(separator: ", "))")])
            return Self.json(.object(outcome.resource.json), status: .ok, fhir: true)
        } catch {
            throw FHIRError(422, code: "processing", "The mappings were not reloaded (the previous ones stay in use): \(error)")
        }
    }

    private func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = InboundFilter(
            messageType: query.get("type"), sendingApplication: query.get("sender"), controlID: query.get("control-id"))
        if let status = query.get("status") {
            guard let value = InboundStatus(rawValue: status) else {
                throw FHIRError(400, code: "invalid", "status must be one of received, processed, error, duplicate")
            }
            filter.status = value
        }
        if let since = query.get("since") {
            guard let date = FHIRDateTime(since) else { throw FHIRError(400, code: "invalid", "since must be a date or dateTime") }
            filter.receivedSince = date.lowerBound
        }
        filter.limit = min(Int(query.get("_count") ?? "") ?? 50, 1000)
        filter.offset = max(Int(query.get("_offset") ?? "") ?? 0, 0)
        let messages = try await pipeline.store.withSession { session in try await session.inboundMessages(filter) }
        return Self.json(.object(JSONObject([("messages", .array(messages.map(\.json)))])), status: .ok, fhir: false)
    }

    private func show(_ context: HubRequestContext) async throws -> Response {
        let id = try Self.id(context)
        guard let message = try await pipeline.store.withSession({ session in try await session.inboundMessage(id) }) else {
            throw FHIRError(404, code: "not-found", "There is no inbound message \(id)")
        }
        return Self.json(message.json, status: .ok, fhir: false)
    }

    private func replay(_ context: HubRequestContext) async throws -> Response {
        let id = try Self.id(context)
        guard let outcome = try await pipeline.replay(id, grant: context.access, remoteAddress: context.remoteAddress) else {
            throw FHIRError(404, code: "not-found", "There is no inbound message \(id)")
        }
        return Self.json(outcome.json, status: .ok, fhir: false)
    }

    /// Replays every message with the given status (default `error`), oldest first, at most 1,000 per call.
    private func replayAll(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        let status = InboundStatus(rawValue: request.uri.queryParameters.get("status") ?? "error") ?? .error
        let messages = try await pipeline.store.withSession { session in
            try await session.inboundMessages(InboundFilter(status: status, limit: 1000))
        }
        var results: [JSONValue] = []
        for message in messages.reversed() {
            if let outcome = try await pipeline.replay(message.id, grant: context.access, remoteAddress: context.remoteAddress) {
                results.append(outcome.json)
            }
        }
        return Self.json(.object(JSONObject([("replayed", .array(results))])), status: .ok, fhir: false)
    }

    private static func id(_ context: HubRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text) else {
            throw FHIRError(400, code: "invalid", "An inbound message id is a number")
        }
        return id
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status, fhir: Bool) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = fhir ? ContentNegotiation.fhirJSON : ContentNegotiation.plainJSON
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(value))))
    }
}
