import HL7v2

/// One value read from a message: a field repetition (or a component of it) as components of subcomponents,
/// unescaped. A path that names a component (`FT1-11.1`) gives its subcomponents as the components, so the
/// datatype converters read `part(1)` whatever level the path names.
struct V2Value: Sendable, Hashable {
    /// `parts[i][j]` is component i+1, subcomponent j+1.
    var parts: [[String]]

    /// Component `number` (1-based), first subcomponent; empty when absent.
    func part(_ number: Int) -> String {
        number >= 1 && number <= parts.count ? parts[number - 1].first ?? "" : ""
    }

    /// Subcomponent `sub` of component `number` (both 1-based); empty when absent.
    func part(_ number: Int, _ sub: Int) -> String {
        guard number >= 1, number <= parts.count else { return "" }
        let subs = parts[number - 1]
        return sub >= 1 && sub <= subs.count ? subs[sub - 1] : ""
    }

    /// True when nothing is written in any component.
    var isEmpty: Bool { parts.allSatisfy { $0.allSatisfy(\.isEmpty) } }
}

/// A message with its segments numbered, so that rules can iterate segments and find the segments around one.
struct MessageView: Sendable {
    let message: HL7Message
    let segments: [HL7Segment]
    /// Positions (indices into `segments`) of every segment ID, in order.
    let positions: [String: [Int]]

    init(_ message: HL7Message) {
        self.message = message
        segments = message.segments
        var positions: [String: [Int]] = [:]
        for (index, segment) in segments.enumerated() { positions[segment.id, default: []].append(index) }
        self.positions = positions
    }

    /// The segment position that `id` means in `scope`: the anchor itself, else the nearest segment of that ID
    /// at or before the anchor (the OBR of an OBX), else the first one in the message.
    func position(of id: String, in scope: Scope) -> Int? {
        guard let all = positions[id], let first = all.first else { return nil }
        guard let anchor = scope.anchor else { return first }
        return all.last { $0 <= anchor } ?? first
    }

    /// The positions of segment `id` that belong to the scope's group: after the anchor and before the next
    /// segment of the anchor's own ID (the OBX of one OBR); every one when the scope has no anchor.
    func positions(of id: String, in scope: Scope) -> [Int] {
        let all = positions[id] ?? []
        guard let range = groupRange(of: scope) else { return all }
        return all.filter { range.contains($0) }
    }

    /// From the anchor up to (not including) the next segment of the anchor's ID or of a level at or above
    /// it (an OBR's group ends at the next OBR or ORC; an OBX's at the next OBX, OBR or ORC).
    func groupRange(of scope: Scope) -> Range<Int>? {
        guard let anchor = scope.anchor, anchor < segments.count else { return nil }
        let id = segments[anchor].id
        let level = Self.level(id)
        var end = anchor + 1
        while end < segments.count, segments[end].id != id, Self.level(segments[end].id) > level { end += 1 }
        return anchor..<end
    }

    /// How high a segment stands in the message structure: a group starting at a segment ends at the next
    /// segment of the same or a higher level. Segments not listed (NTE, Z-segments, ...) belong to whatever
    /// precedes them.
    static func level(_ id: String) -> Int {
        switch id {
        case "MSH", "BHS", "FHS": 0
        case "PID", "SCH": 1
        case "PV1", "ORC", "OBR", "RGS", "FT1", "MRG": 2
        case "OBX", "AIS", "AIG", "AIL", "AIP", "SPM": 3
        default: 4
        }
    }

    /// The values at `path` in `scope`: one per repetition (only the repetition named, if any).
    func values(_ path: HL7Path, in scope: Scope) -> [V2Value] {
        guard let position = position(of: path.segmentID, in: scope),
              let field = segments[position].field(path.field) else { return [] }
        var repetitions = field.repetitions
        if let number = path.repetition {
            repetitions = number >= 1 && number <= repetitions.count ? [repetitions[number - 1]] : []
        }
        return repetitions.compactMap { repetition -> V2Value? in
            if field.isNull { return nil }
            let value: V2Value
            if let componentNumber = path.component {
                guard let component = repetition.component(componentNumber) else { return nil }
                if let sub = path.subcomponent {
                    value = V2Value(parts: [[component.subcomponent(sub) ?? ""]])
                } else {
                    value = V2Value(parts: component.subcomponents.map { [$0] })
                }
            } else {
                value = V2Value(parts: repetition.components.map(\.subcomponents))
            }
            return value.isEmpty ? nil : value
        }
    }

    /// The first value at `path` in `scope` as text (component 1), or nil when empty.
    func text(_ path: HL7Path, in scope: Scope) -> String? {
        let text = values(path, in: scope).first?.part(1) ?? ""
        return text.isEmpty ? nil : text
    }
}

/// Where rules are evaluated: the segment being iterated (`foreach`), and the resource instances pinned by an
/// enclosing `for`.
struct Scope: Sendable {
    /// Position of the segment a `foreach`/`for` iterates, or nil at message level.
    var anchor: Int?
    /// Resource instances chosen by enclosing `for` iterations, by rule name.
    var pinned: [String: Int] = [:]
}
