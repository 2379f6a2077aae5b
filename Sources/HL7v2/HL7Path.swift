/// A terser-style address of a value in a message, numbered as in the standard (all numbers 1-based).
///
/// Grammar: `SEG[n]-field(r).component.subcomponent`, where only `SEG-field` is required:
/// - `PID-5` first PID, field 5, first repetition, component 1, subcomponent 1;
/// - `PID-5.2` component 2 (given name); `PID-3(2).1` the second repetition of PID-3, component 1;
/// - `PID-3.4.2` subcomponent 2 of component 4 (the assigning authority's universal ID);
/// - `OBX[3]-5` field 5 of the third OBX segment.
/// A missing component or subcomponent means the first, as in HAPI's Terser. With `HL7Message.values(_:)`,
/// a missing `[n]` means every such segment and a missing `(r)` every repetition.
public struct HL7Path: Sendable, Hashable, CustomStringConvertible {
    /// The segment ID (`PID`).
    public var segmentID: String
    /// Which segment of that ID (1-based), or nil for the first (`value`) or all (`values`).
    public var occurrence: Int?
    /// The field number (`5` in `PID-5`).
    public var field: Int
    /// The repetition (1-based), or nil for the first (`value`) or all (`values`).
    public var repetition: Int?
    /// The component (1-based); nil means 1.
    public var component: Int?
    /// The subcomponent (1-based); nil means 1.
    public var subcomponent: Int?

    /// Reads a path such as `PID-5.1` or `OBX[2]-5(1).1.1`.
    /// - Throws: `.invalidPath` when the text does not follow the grammar above.
    public init(_ text: String) throws(HL7ParseError) {
        var rest = Substring(text)
        func fail(_ why: String) -> HL7ParseError {
            HL7ParseError(.invalidPath, reason: "\"\(text)\" is not an HL7 path (SEG[n]-field(r).component.subcomponent): \(why)")
        }
        func number() throws(HL7ParseError) -> Int {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            rest = rest.dropFirst(digits.count)
            guard digits.count <= 6, let value = Int(digits), value >= 1 else { throw fail("expected a number from 1") }
            return value
        }
        func take(_ character: Character) -> Bool {
            guard rest.first == character else { return false }
            rest = rest.dropFirst()
            return true
        }
        let id = rest.prefix(3)
        guard HL7Segment.isValidID(ArraySlice(id.utf8)) else { throw fail("it does not start with a segment ID") }
        segmentID = String(id)
        rest = rest.dropFirst(3)
        occurrence = nil
        repetition = nil
        component = nil
        subcomponent = nil
        if take("[") {
            occurrence = try number()
            guard take("]") else { throw fail("expected ]") }
        }
        guard take("-") else { throw fail("expected - and a field number") }
        field = try number()
        if take("(") {
            repetition = try number()
            guard take(")") else { throw fail("expected )") }
        }
        if take(".") {
            component = try number()
            if take(".") { subcomponent = try number() }
        }
        guard rest.isEmpty else { throw fail("unexpected \"\(rest)\"") }
    }

    /// The path written back in the grammar above.
    public var description: String {
        var text = segmentID
        if let occurrence { text += "[\(occurrence)]" }
        text += "-\(field)"
        if let repetition { text += "(\(repetition))" }
        if let component { text += ".\(component)" }
        if let subcomponent { text += ".\(subcomponent)" }
        return text
    }

    /// The value this path names inside one segment at repetition `number`, or nil when absent or empty.
    func value(in segment: HL7Segment, repetition number: Int) -> String? {
        guard let value = segment.field(field)?.value(repetition: number, component: component ?? 1,
                                                      subcomponent: subcomponent ?? 1), !value.isEmpty else { return nil }
        return value
    }

    /// The non-empty values this path names in every repetition of `field`, in order (each repetition read once).
    func values(in field: HL7Field) -> [String] {
        field.leafValues(component: component ?? 1, subcomponent: subcomponent ?? 1) ?? field.repetitions.compactMap(value(in:))
    }

    /// The value this path names inside one repetition of its field, or nil when absent or empty.
    func value(in repetition: HL7Repetition) -> String? {
        guard let component = repetition.component(component ?? 1),
              let value = component.subcomponent(subcomponent ?? 1), !value.isEmpty else { return nil }
        return value
    }
}
