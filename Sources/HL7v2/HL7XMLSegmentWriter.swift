import SafeXML

/// Writes one v2.xml segment element as an ER7 segment (without its terminator), escaping every value with the
/// message's delimiters; see `HL7XMLReader` for the layout read.
struct HL7XMLSegmentWriter {
    /// How deep a composite sits: a field's repetition holds components, a component sub-components.
    private enum Level { case components, subcomponents, text }

    let segment: SafeXMLElement
    /// 1-based position of the segment in the message.
    let index: Int
    let encoding: HL7EncodingCharacters
    let options: HL7ParseOptions
    let reader: HL7XMLReader
    private var field: Int?

    init(segment: SafeXMLElement, index: Int, encoding: HL7EncodingCharacters, options: HL7ParseOptions,
         reader: HL7XMLReader) {
        self.segment = segment
        self.index = index
        self.encoding = encoding
        self.options = options
        self.reader = reader
    }

    /// `PID|...`, or for MSH `MSH|^~\&|...` with MSH-1 and MSH-2 from the delimiters.
    mutating func write() throws(HL7ParseError) -> String {
        var fields: [Int: [SafeXMLElement]] = [:]
        for item in segment.content {
            switch item {
            case .text(let text):
                guard HL7XMLReader.isBlank(text) else { throw failure("text \"\(text.prefix(40))\" where fields are expected") }
            case .element(let child):
                try reader.checkNamespace(child, segmentID: segment.name)
                guard Self.hasNumberSuffix(child.name) else { continue }  // not named as any field: skipped
                guard let number = Self.number(of: child.name, prefix: segment.name + "."),
                      number <= options.maxFieldsPerSegment else {
                    throw failure("<\(child.name.prefix(40))> is not a field of \(segment.name) "
                                      + "(<\(segment.name).n>, n from 1 to \(options.maxFieldsPerSegment))")
                }
                fields[number, default: []].append(child)
            }
        }
        let header = segment.name == "MSH"
        var text = segment.name
        if header {
            text.unicodeScalars.append(encoding.field)
            text += encoding.encodingCharactersText
        }
        let last = fields.keys.max() ?? 0
        for number in stride(from: header ? 3 : 1, through: last, by: 1) {
            text.unicodeScalars.append(encoding.field)
            field = number
            text += try write(field: fields[number] ?? [])
        }
        return text
    }

    /// One field: each element written for it is one repetition (or several, when it wraps typed repetitions).
    private func write(field elements: [SafeXMLElement]) throws(HL7ParseError) -> String {
        var repetitions: [String] = []
        for element in elements {
            if let wrapped = Self.typedRepetitions(in: element) {
                for repetition in wrapped { repetitions.append(try write(repetition, level: .components)) }
            } else {
                repetitions.append(try write(element, level: .components))
            }
        }
        guard repetitions.count <= options.maxRepetitionsPerField else {
            throw failure("the field repeats more than \(options.maxRepetitionsPerField) times")
        }
        return repetitions.joined(separator: String(encoding.repetition))
    }

    /// The element's text, or its numbered parts (`<XPN.1>`, ...) joined with the separator of `level`.
    private func write(_ element: SafeXMLElement, level: Level) throws(HL7ParseError) -> String {
        let parts = element.children.filter { $0.name != "escape" }
        guard !parts.isEmpty else { return try text(of: element) }
        guard let separator = level == .components ? encoding.component : level == .subcomponents ? encoding.subcomponent : nil else {
            throw failure(level == .text
                ? "<\(element.name.prefix(40))> nests deeper than sub-components"
                : "<\(element.name.prefix(40))> has sub-components but MSH-2 defines no sub-component separator")
        }
        var numbered: [Int: SafeXMLElement] = [:]
        for item in element.content {
            switch item {
            case .text(let text):
                guard HL7XMLReader.isBlank(text) else {
                    throw failure("<\(element.name.prefix(40))> mixes text \"\(text.prefix(40))\" with components")
                }
            case .element(let part):
                try reader.checkNamespace(part, segmentID: segment.name, field: field)
                guard let number = Self.number(of: part.name, prefix: nil), number <= options.maxFieldsPerSegment else {
                    throw failure("<\(part.name.prefix(40))> in <\(element.name.prefix(40))> is not a numbered "
                                      + "component such as <XPN.1>")
                }
                guard numbered.updateValue(part, forKey: number) == nil else {
                    throw failure("<\(part.name.prefix(40))> is written twice in <\(element.name.prefix(40))>")
                }
            }
        }
        let next: Level = level == .components ? .subcomponents : .text
        var written: [String] = []
        for number in 1...(numbered.keys.max() ?? 1) {
            written.append(try numbered[number].map { (part) throws(HL7ParseError) in try write(part, level: next) } ?? "")
        }
        return written.joined(separator: String(separator))
    }

    /// Text escaped for ER7, with `<escape V="x"/>` written as the sequence `\x\`.
    private func text(of element: SafeXMLElement) throws(HL7ParseError) -> String {
        var written = ""
        for item in element.content {
            switch item {
            case .text(let text):
                written += HL7Escaping.escape(text, encoding: encoding)
            case .element(let escape):
                let value = escape.attribute("V") ?? ""
                let forbidden: [Unicode.Scalar?] = [encoding.escape, encoding.field, encoding.component,
                                                    encoding.repetition, encoding.subcomponent, "\r", "\n"]
                guard !value.isEmpty, !value.unicodeScalars.contains(where: { forbidden.contains($0) }) else {
                    throw failure("<escape V=\"\(value.prefix(20))\"/> is empty or holds a delimiter or line break")
                }
                written.unicodeScalars.append(encoding.escape)
                written += value
                written.unicodeScalars.append(encoding.escape)
            }
        }
        return written
    }

    /// The repetitions a field element wraps in elements named after their data type (`<QIP>`), or nil when its
    /// children are numbered components or it holds text.
    private static func typedRepetitions(in element: SafeXMLElement) -> [SafeXMLElement]? {
        let children = element.children
        guard !children.isEmpty, !element.text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }),
              children.allSatisfy({ $0.name != "escape" && number(of: $0.name, prefix: nil) == nil }) else { return nil }
        return children
    }

    /// Whether the name ends in a dot and digits (`PID.5`, `PID.0`), as field and component names do.
    static func hasNumberSuffix(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        let digits = name[name.index(after: dot)...]
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// `n` in `PREFIXn` (or in `anything.n` when `prefix` is nil); nil unless n is a positive decimal number.
    static func number(of name: String, prefix: String?) -> Int? {
        let digits: Substring
        if let prefix {
            guard name.hasPrefix(prefix) else { return nil }
            digits = name.dropFirst(prefix.count)
        } else {
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
            digits = name[name.index(after: dot)...]
        }
        guard !digits.isEmpty, digits.count <= 6, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let number = Int(digits), number >= 1 else { return nil }
        return number
    }

    private func failure(_ reason: String) -> HL7ParseError {
        HL7ParseError(.invalidXMLStructure, segmentIndex: index, segmentID: segment.name, field: field, reason: reason)
    }
}
