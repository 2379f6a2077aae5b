import FHIRCore
import Foundation
import HL7v2
import Mapping
import SafeXML
import Store

extension IngestPipeline {
    /// A message as read, in any encoding the hub takes: ER7 and HL7 v2.xml become an `HL7Message` (one set of
    /// mappings serves both), C-CDA and vendor lab XML become a converted lab document; plus the header facts
    /// the log and the acknowledgement need (scanned from the raw bytes when the message does not read).
    struct Received {
        enum Content {
            case hl7(Result<HL7Message, HL7ParseError>)
            case lab(Result<XMLFeedResult, MappingError>)
            /// XML that is not well formed, not safe, or of no known format.
            case unreadableXML(String)
        }

        let content: Content
        let header: HL7Acknowledgement.Header
        let inbound: InboundHeader

        /// Reads `raw`; `format` forces the XML lab format (`?format=` on `$ingest`) instead of detecting it.
        /// `messageID` seeds the `urn:uuid:` full URLs of a lab document's Bundle (they only need to be unique
        /// within it), so reading the same document twice gives the same Bundle.
        init(_ raw: [UInt8], feeds: XMLLabFeeds, format: XMLFeedKind? = nil, messageID: String = "xml") {
            guard Self.isXML(raw) else {
                self.init(hl7: Result { () throws(HL7ParseError) in try HL7Message(parsing: raw) }, raw: raw)
                return
            }
            let root: SafeXMLElement
            do {
                root = try SafeXMLParser().parse(raw)
            } catch {
                self.init(unreadable: "The XML was refused: \(error)")
                return
            }
            if HL7XMLReader.isV2XML(root) {
                self.init(hl7: Result { () throws(HL7ParseError) in try HL7XMLReader().read(root) }, raw: raw)
                return
            }
            guard let kind = format ?? feeds.detect(root) else {
                let known = (["HL7 v2.xml (urn:hl7-org:v2xml)", "C-CDA (urn:hl7-org:v3)"] + feeds.vendorNames.map { "vendor:" + $0 })
                self.init(unreadable: "<\(root.name)> in namespace '\(root.namespaceURI ?? "")' is no known lab format; known: \(known.joined(separator: ", "))")
                return
            }
            let context = MappingContext(receivedAt: Date(), messageID: messageID)
            let result = Result { () throws(MappingError) in try feeds.convert(root, kind: kind, context: context) }
            let documentID = (try? result.get())?.documentID ?? ""
            self.init(content: .lab(result), header: HL7Acknowledgement.Header(), inbound: InboundHeader(
                sendingApplication: kind.description, sendingFacility: "", controlID: documentID, messageType: kind.description
            ))
        }

        private init(content: Content, header: HL7Acknowledgement.Header, inbound: InboundHeader) {
            self.content = content
            self.header = header
            self.inbound = inbound
        }

        private init(hl7 parsed: Result<HL7Message, HL7ParseError>, raw: [UInt8]) {
            let message = try? parsed.get()
            let header = message.map(HL7Acknowledgement.Header.init) ?? HL7Acknowledgement.Header(scanning: raw)
            self.init(content: .hl7(parsed), header: header, inbound: IngestPipeline.inboundHeader(header, message: message))
        }

        private init(unreadable problem: String) {
            self.init(
                content: .unreadableXML(problem), header: HL7Acknowledgement.Header(),
                inbound: InboundHeader(sendingApplication: "", sendingFacility: "", controlID: "", messageType: "XML")
            )
        }

        /// Whether `raw` is XML: its first character, after a byte order mark and white space, is `<`.
        static func isXML(_ raw: [UInt8]) -> Bool {
            var bytes = raw[...]
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            return bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "<")
        }
    }
}
