/// The FHIRPath of the element being validated, kept as a stack and rendered only when an issue is reported.
struct ValidationPath {
    private enum Segment {
        case name(String)
        case index(Int)
    }

    private var segments: [Segment]

    /// A path at the root of a resource of type `root` (`Patient`).
    init(root: String) {
        segments = [.name(root)]
        segments.reserveCapacity(16)
    }

    /// Descends into member `name`.
    mutating func push(_ name: String) { segments.append(.name(name)) }

    /// Descends into item `index` of the current array.
    mutating func push(index: Int) { segments.append(.index(index)) }

    /// Goes back up one step.
    mutating func pop() { segments.removeLast() }

    /// The path as FHIRPath (`Patient.name[0].given[1]`), with `child` appended when given.
    func rendered(_ child: String? = nil) -> String {
        var text = ""
        for segment in segments {
            switch segment {
            case .name(let name):
                if !text.isEmpty { text += "." }
                text += name
            case .index(let index):
                text += "[\(index)]"
            }
        }
        if let child { text += "." + child }
        return text
    }
}
