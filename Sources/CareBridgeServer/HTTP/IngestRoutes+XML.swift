import FHIRCore
import Foundation
import Hummingbird
import Mapping

extension IngestRoutes {
    /// `$convert` of an XML document: the transaction Bundle it maps to, without storing anything. The document
    /// is read exactly as `$ingest` reads it (`IngestPipeline.Received`).
    func convertXML(_ raw: [UInt8], format: XMLFeedKind?) throws -> Response {
        let received = IngestPipeline.Received(raw, feeds: pipeline.mappings.feeds, format: format, messageID: "convert")
        let bundle: FHIRResource
        do {
            switch received.content {
            case .hl7(.success(let message)):
                bundle = try pipeline.mappings.current.convert(message, context: MappingContext(receivedAt: Date(), messageID: "convert")).bundle
            case .hl7(.failure(let error)):
                throw FHIRError(400, code: "structure", "The v2.xml message does not read: \(error)")
            case .lab(let result):
                bundle = try result.get().bundle
            case .unreadableXML(let reason):
                throw FHIRError(400, code: "structure", reason)
            }
        } catch let error as MappingError {
            throw FHIRError(error.kind == .unsupportedMessageType ? 400 : 422, code: "processing", error.description)
        }
        return Self.json(.object(bundle.json), status: .ok, fhir: true)
    }
}
