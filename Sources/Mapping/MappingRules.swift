import FHIRCore
import HL7v2

/// Where a value comes from: a field of the message, or something the hub knows about the message.
enum SourcePath: Sendable, Hashable, CustomStringConvertible {
    case field(HL7Path)
    /// `$receivedAt`: when the hub received the message (an instant).
    case receivedAt
    /// `$messageID`: the context's message id.
    case messageID

    init(parsing text: String) throws(MappingError) {
        switch text {
        case "$receivedAt": self = .receivedAt
        case "$messageID": self = .messageID
        default:
            do {
                self = .field(try HL7Path(text))
            } catch {
                throw MappingError(.invalidMapping, "\"\(text)\" is not an HL7 path such as PID-5.1 or $receivedAt")
            }
        }
    }

    var description: String {
        switch self {
        case .field(let path): path.description
        case .receivedAt: "$receivedAt"
        case .messageID: "$messageID"
        }
    }
}

/// A condition on the message (`when:`); every key given must hold.
struct Condition: Sendable, Hashable {
    /// Each of these has a value (alternatives `A|B`: any of them).
    var present: [[SourcePath]] = []
    /// None of these has a value.
    var absent: [[SourcePath]] = []
    /// `path` + `in`: the first value of `path` is one of `values`; with `notIn`, none of them.
    var path: [SourcePath]?
    var values: [String]?
    var excluded: [String]?
    /// The trigger event (MSH-9.2) is one of these.
    var triggers: [String]?
}

/// How an entry is written to the hub.
enum RequestKind: String, Sendable, Hashable {
    /// `PUT Type?identifier=system|value`: create or replace the one matching resource.
    case update
    /// `POST Type` with `ifNoneExist: identifier=system|value`: create unless it already exists.
    case create
}

/// Which search parameter identifies a resource, built from the resource's own `identifier`.
struct IdentityRule: Sendable, Hashable {
    /// The identifier type code (v2 table 0203, e.g. `MR`) preferred when the resource has several.
    var preferredType: String?
}

/// One resource a message produces (or one per segment, with `foreach`).
struct ResourceRule: Sendable {
    var name: String
    var type: String
    var foreach: String?
    var when: Condition?
    var request: RequestKind
    var identity: IdentityRule?
    var fields: [FieldRule]
    var location: String
}

/// One element of a resource and where its value comes from.
struct FieldRule: Sendable {
    var path: ElementPath
    var when: Condition?
    /// Evaluate once per instance of this resource rule, or per segment of this ID, in scope.
    var forEach: String?
    /// Read from the first of these that has a value (`concat`: from all of them).
    var from: [SourcePath] = []
    var concat = false
    var converter: Converter = .string
    var table: String?
    var inlineMap: [String: String]?
    var defaultValue: JSONValue?
    var constant: JSONValue?
    var template: Template?
    var reference: String?
    var object: [FieldRule]?
    var sum: SourcePath?
    var unit: SourcePath?
    var currency: SourcePath?
    var required = false
    var location: String
}

/// A message mapping file: the message types it handles and the resources it produces.
struct MessageMapping: Sendable {
    var messageTypes: [String]
    var resources: [ResourceRule]
    /// For merges: the rule names of the surviving and the merged Patient.
    var merge: (survivor: String, merged: String)?
    var file: String
}

/// A string with `{PATH}` placeholders: `{OBR-3.1|OBR-2.1}` takes the first that has a value; `{PATH?}` may be
/// empty; a required placeholder without a value makes the whole template absent.
struct Template: Sendable, Hashable {
    enum Piece: Sendable, Hashable {
        case literal(String)
        case value([SourcePath], optional: Bool)
    }
    var pieces: [Piece]

    init(parsing text: String) throws(MappingError) {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { pieces.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw MappingError(.invalidMapping, "unclosed { in template \"\(text)\"")
            }
            var inner = rest[rest.index(after: open)..<close]
            let optional = inner.hasSuffix("?")
            if optional { inner = inner.dropLast() }
            var paths: [SourcePath] = []
            for part in inner.split(separator: "|") { paths.append(try SourcePath(parsing: String(part))) }
            pieces.append(.value(paths, optional: optional))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.literal(String(rest))) }
        self.pieces = pieces
    }
}
