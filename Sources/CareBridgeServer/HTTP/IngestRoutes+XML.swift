import FHIRCore
import Foundation
import HL7v2
import Hummingbird
import Mapping
import SafeXML

extension IngestRoutes {
    /// `$convert` of an XML document: the transaction Bundle it maps to, without storing anything.
    func convertXML(_ raw: [UInt8], format: XMLFeedKind?) throws -> Response {
        let root: SafeXMLElement
        do {
            root = try SafeXMLParser().parse(raw)
        } catch {
            throw FHIRError(400, code: "structure", "The XML was refused: \(error)")
        }
        let context = MappingContext(receivedAt: Date(), messageID: "convert")
        do {
            if HL7XMLReader.isV2XML(root) {
                let message: HL7Message
                do {
                    message = try HL7XMLReader().read(root)
                } catch {
                    throw FHIRError(400, code: "structure", "The v2.xml message does not read: \(error)")
                }
                return Self.json(.object(try pipeline.mappings.current.convert(message, context: context).bundle.json), status: .ok, fhir: true)
            }
            let feeds = pipeline.mappings.feeds
            guard let kind = format ?? feeds.detect(root) else {
                throw FHIRError(400, code: "not-supported", "<\(root.name)> is no known lab XML format")
            }
            return Self.json(.object(try feeds.convert(root, kind: kind, context: context).bundle.json), status: .ok, fhir: true)
        } catch let error as MappingError {
            throw FHIRError(error.kind == .unsupportedMessageType ? 400 : 422, code: "processing", error.description)
        }
    }
}
