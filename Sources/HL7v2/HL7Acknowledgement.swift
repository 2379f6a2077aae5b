import Foundation

/// Original-mode acknowledgements (HL7 v2.5.1 chapter 2.9 and 2.14: MSA and ERR).
public enum HL7Acknowledgement {
    /// MSA-1.
    public enum Code: String, Sendable, Hashable {
        /// Accepted: applied (sent only after the change has committed).
        case accept = "AA"
        /// Application error: the message was kept but could not be applied.
        case error = "AE"
        /// Rejected: the message cannot be read or its type is not supported.
        case reject = "AR"
    }

    /// Why a message was not accepted, for the ERR segment.
    public struct Problem: Sendable, Hashable {
        /// An HL7 table 0357 code: 100 segment sequence error, 101 required field missing, 102 data type error,
        /// 103 table value not found, 200 unsupported message type, 201 unsupported event code, 207 application
        /// internal error.
        public var code: String
        /// Where: segment ID, its occurrence (1-based) and field number, when known.
        public var segment: String?
        public var occurrence: Int?
        public var field: Int?
        /// A human-readable explanation (ERR-8, and MSA-3 for older receivers).
        public var message: String

        public init(code: String, segment: String? = nil, occurrence: Int? = nil, field: Int? = nil, message: String) {
            self.code = code
            self.segment = segment
            self.occurrence = occurrence
            self.field = field
            self.message = message
        }

        static let codeTexts = [
            "100": "Segment sequence error", "101": "Required field missing", "102": "Data type error",
            "103": "Table value not found", "200": "Unsupported message type", "201": "Unsupported event code",
            "204": "Unknown key identifier", "207": "Application internal error",
        ]
    }

    /// The header fields of the message being acknowledged (read leniently, so that even an unreadable message
    /// gets an acknowledgement naming its control id).
    public struct Header: Sendable, Hashable {
        public var sendingApplication = ""
        public var sendingFacility = ""
        public var receivingApplication = ""
        public var receivingFacility = ""
        public var triggerEvent = ""
        public var controlID = ""
        public var processingID = ""
        public var version = ""

        public init() {}

        /// The header of a parsed message. Fields are copied as written when the message uses the standard
        /// delimiters (which the ACK uses); otherwise only their first component is kept.
        public init(_ message: HL7Message) {
            guard let msh = message.header else { return }
            func copy(_ number: Int) -> String {
                guard message.encoding != .standard else { return msh.field(number)?.raw ?? "" }
                return HL7Escaping.escape(msh[number], encoding: .standard)
            }
            sendingApplication = copy(3)
            sendingFacility = copy(4)
            receivingApplication = copy(5)
            receivingFacility = copy(6)
            triggerEvent = message.triggerEvent ?? ""
            controlID = message.controlID ?? ""
            processingID = copy(11)
            version = message.version ?? ""
        }

        /// The header scanned from raw bytes that do not parse: the first line starting `MSH`, split on the
        /// character after `MSH`. Empty when there is none.
        public init(scanning raw: [UInt8]) {
            guard let start = raw.firstRange(of: Array("MSH".utf8)), start.upperBound < raw.count else { return }
            let separator = raw[start.upperBound]
            let line = raw[start.upperBound...].prefix { $0 != 0x0D && $0 != 0x0A }
            let fields = line.split(separator: separator, omittingEmptySubsequences: false).map {
                String(decoding: $0.prefix(200), as: UTF8.self)
            }
            // fields[0] is empty (before the first separator), fields[1] is MSH-2: MSH-n is fields[n - 1].
            func field(_ number: Int) -> String { fields.indices.contains(number - 1) ? fields[number - 1] : "" }
            sendingApplication = field(3)
            sendingFacility = field(4)
            receivingApplication = field(5)
            receivingFacility = field(6)
            let type = field(9).split(separator: "^", omittingEmptySubsequences: false)
            triggerEvent = type.count > 1 ? String(type[1]) : ""
            controlID = field(10).split(separator: "^").first.map(String.init) ?? ""
            processingID = field(11)
            version = field(12).split(separator: "^").first.map(String.init) ?? ""
        }
    }

    /// An ACK for the message with `header`: sender and receiver swapped, `MSA-2` echoing its control id, and
    /// for `AE`/`AR` an ERR segment describing `problem`. Written with the standard delimiters.
    public static func make(
        for header: Header, code: Code, problem: Problem? = nil, controlID: String, at time: Date = Date()
    ) -> HL7Message {
        func escaped(_ text: String) -> String { HL7Escaping.escape(text, encoding: .standard) }
        let trigger = header.triggerEvent.isEmpty ? "" : "^" + escaped(header.triggerEvent) + "^ACK"
        let msh = HL7Segment(id: "MSH", rawFields: [
            header.receivingApplication, header.receivingFacility, header.sendingApplication, header.sendingFacility,
            timestampText(time), "", "ACK" + trigger, escaped(controlID),
            header.processingID.isEmpty ? "P" : header.processingID, header.version.isEmpty ? "2.5.1" : header.version,
        ])
        var segments = [msh]
        var msa = [code.rawValue, escaped(header.controlID)]
        if let problem { msa.append(escaped(String(problem.message.prefix(80)))) }
        segments.append(HL7Segment(id: "MSA", rawFields: msa))
        if let problem {
            var location = ""
            if let segment = problem.segment {
                location = escaped(segment) + "^" + (problem.occurrence.map(String.init) ?? "1")
                if let field = problem.field { location += "^\(field)" }
            }
            let text = Problem.codeTexts[problem.code] ?? "Application internal error"
            segments.append(HL7Segment(id: "ERR", rawFields: [
                "", location, "\(escaped(problem.code))^\(text)^HL70357", "E", "", "", "", escaped(problem.message),
            ]))
        }
        return HL7Message(segments: segments)
    }

    /// `time` as an HL7 DTM in UTC: `20261123114501+0000` (whole seconds, rounded down). Broken down by the C
    /// library's `gmtime_r`, not through `Calendar` and `String(format:)`, which cost more than the rest of
    /// building an acknowledgement.
    public static func timestampText(_ time: Date) -> String {
        var seconds = time_t(time.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "" }
        let fields = [
            (Int(parts.tm_year) + 1900, 4), (Int(parts.tm_mon) + 1, 2), (Int(parts.tm_mday), 2), (Int(parts.tm_hour), 2),
            (Int(parts.tm_min), 2), (Int(parts.tm_sec), 2),
        ]
        return fields.map { value, width in
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }.joined() + "+0000"
    }
}
