/// Reads the text of a `SafeXMLPath` into steps (see `SafeXMLPath` for the grammar).
struct SafeXMLPathReader {
    private let scalars: [Unicode.Scalar]
    private let text: String
    private let namespaces: [String: String]
    private var index = 0

    init(text: String, namespaces: [String: String]) {
        self.text = text
        self.scalars = Array(text.unicodeScalars)
        self.namespaces = namespaces
    }

    mutating func read() throws(SafeXMLError) -> ([SafeXMLPath.Step], SafeXMLPath.NameTest?) {
        guard !scalars.isEmpty else { throw failure("the selector is empty") }
        var steps: [SafeXMLPath.Step] = []
        var axis = SafeXMLPath.Axis.child
        if take("//") {
            axis = .descendantOrSelf
        } else if take("/") {
            axis = .selfNode
        }
        while true {
            if take("@") {
                let test = try nameTest()
                guard index == scalars.count else { throw failure("an @attribute step must be the last step") }
                return (steps, test)
            }
            if take(".") {
                guard axis == .child else { throw failure("'.' must start the selector or follow '/'") }
                steps.append(SafeXMLPath.Step(axis: .selfNode, test: SafeXMLPath.NameTest(name: nil, namespace: nil),
                                              predicates: []))
            } else {
                let test = try nameTest()
                var predicates: [SafeXMLPath.Predicate] = []
                while take("[") { predicates.append(try predicate()) }
                steps.append(SafeXMLPath.Step(axis: axis, test: test, predicates: predicates))
            }
            if index == scalars.count { return (steps, nil) }
            if take("//") {
                axis = .descendant
            } else if take("/") {
                axis = .child
            } else {
                throw failure("expected '/', '//' or the end")
            }
        }
    }

    /// `*`, `name` or `prefix:name`.
    private mutating func nameTest() throws(SafeXMLError) -> SafeXMLPath.NameTest {
        if take("*") { return SafeXMLPath.NameTest(name: nil, namespace: nil) }
        let first = try name()
        guard take(":") else { return SafeXMLPath.NameTest(name: first, namespace: nil) }
        guard let uri = namespaces[first] else { throw failure("the prefix \(first) is not in the namespace map") }
        if take("*") { return SafeXMLPath.NameTest(name: nil, namespace: uri) }
        return SafeXMLPath.NameTest(name: try name(), namespace: uri)
    }

    private mutating func name() throws(SafeXMLError) -> String {
        var scalarsRead = String.UnicodeScalarView()
        while index < scalars.count, Self.isNameCharacter(scalars[index]) {
            scalarsRead.append(scalars[index])
            index += 1
        }
        guard let first = scalarsRead.first, !("0"..."9").contains(first), first != ".", first != "-" else {
            throw failure("expected a name")
        }
        return String(scalarsRead)
    }

    /// What follows `[`: `@a]`, `@a='v']`, `name='v']` or `n]`.
    private mutating func predicate() throws(SafeXMLError) -> SafeXMLPath.Predicate {
        let result: SafeXMLPath.Predicate
        if take("@") {
            let test = try nameTest()
            result = take("=") ? .attributeEquals(test, try literal()) : .hasAttribute(test)
        } else if index < scalars.count, ("1"..."9").contains(scalars[index]) {
            var digits = ""
            while index < scalars.count, ("0"..."9").contains(scalars[index]) {
                digits.unicodeScalars.append(scalars[index])
                index += 1
            }
            guard let position = Int(digits) else { throw failure("the position \(digits) is too large") }
            result = .position(position)
        } else {
            let test = try nameTest()
            guard take("=") else { throw failure("expected '=' after the child name in a predicate") }
            result = .childTextEquals(test, try literal())
        }
        guard take("]") else { throw failure("expected ']'") }
        return result
    }

    /// `'text'` or `"text"`.
    private mutating func literal() throws(SafeXMLError) -> String {
        guard index < scalars.count, scalars[index] == "'" || scalars[index] == "\"" else {
            throw failure("expected a quoted value")
        }
        let quote = scalars[index]
        index += 1
        var value = String.UnicodeScalarView()
        while index < scalars.count, scalars[index] != quote {
            value.append(scalars[index])
            index += 1
        }
        guard take(String(quote)) else { throw failure("the quoted value is not closed") }
        return String(value)
    }

    private mutating func take(_ token: String) -> Bool {
        let wanted = Array(token.unicodeScalars)
        guard scalars[index...].starts(with: wanted) else { return false }
        index += wanted.count
        return true
    }

    /// Letters, digits, `.`, `-`, `_` and any non-ASCII character that is not white space (XML name characters
    /// without the colon, loosely).
    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if !scalar.isASCII { return !scalar.properties.isWhitespace }
        return scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-"
            || scalar == "_"
    }

    private func failure(_ reason: String) -> SafeXMLError {
        SafeXMLError(.invalidPath, reason: "\(reason) at position \(index + 1) in the selector \"\(text.prefix(200))\"")
    }
}
