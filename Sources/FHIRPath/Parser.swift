/// Parses FHIRPath text into an `Expression` by precedence climbing over the grammar's operator groups.
struct Parser {
    private let tokens: [Token]
    private var index = 0

    static func parse(_ text: String) throws(FHIRPathError) -> Expression {
        var parser = Parser(tokens: try Lexer.tokens(text))
        let expression = try parser.expression(level: 0)
        let rest = parser.current
        guard rest.kind == .end else {
            throw FHIRPathError(.syntax, "Unexpected \(Parser.describe(rest)) after the expression", at: rest.position)
        }
        return expression
    }

    private init(tokens: [Token]) {
        self.tokens = tokens
    }

    private var current: Token { tokens[index] }

    private static func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier(let name, _): "'\(name)'"
        case .string(let text): "string '\(text)'"
        case .number(let text): "number \(text)"
        case .temporal(let text): "'@\(text)'"
        case .variable(let name): "'%\(name)'"
        case .special(let name): "'$\(name)'"
        case .symbol(let symbol): "'\(symbol)'"
        case .end: "end of expression"
        }
    }

    /// Operator groups from lowest to highest precedence (FHIRPath N1 §5, operator precedence).
    private static let levels: [[String]] = [
        ["implies"], ["or", "xor"], ["and"], ["in", "contains"], ["=", "~", "!=", "!~"],
        ["<", ">", "<=", ">="], ["|"], ["is", "as"], ["+", "-", "&"], ["*", "/", "div", "mod"],
    ]

    /// The operator text of the current token, if it is an operator (keywords only when not delimited).
    private var operatorText: String? {
        switch current.kind {
        case .symbol(let symbol): symbol
        case .identifier(let name, delimited: false): name
        default: nil
        }
    }

    private mutating func expression(level: Int) throws(FHIRPathError) -> Expression {
        guard level < Parser.levels.count else { return try unary() }
        var left = try expression(level: level + 1)
        while let text = operatorText, Parser.levels[level].contains(text) {
            let position = current.position
            index += 1
            if text == "is" || text == "as" {
                let type = try typeSpecifier()
                left = text == "is" ? .isType(left, type) : .asType(left, type)
                continue
            }
            guard let op = BinaryOperator(rawValue: text) else {
                throw FHIRPathError(.syntax, "Unknown operator '\(text)'", at: position)
            }
            let right = try expression(level: level + 1)
            left = .binary(op, left, right, position: position)
        }
        return left
    }

    private mutating func unary() throws(FHIRPathError) -> Expression {
        if case .symbol(let symbol) = current.kind, symbol == "+" || symbol == "-" {
            let position = current.position
            index += 1
            let operand = try unary()
            return symbol == "-" ? .negate(operand, position: position) : operand
        }
        return try postfix()
    }

    private mutating func postfix() throws(FHIRPathError) -> Expression {
        var expression = try term()
        while case .symbol(let symbol) = current.kind, symbol == "." || symbol == "[" {
            let position = current.position
            index += 1
            if symbol == "[" {
                let indexExpression = try self.expression(level: 0)
                try expect("]")
                expression = .indexer(base: expression, index: indexExpression, position: position)
            } else {
                expression = try invocation(on: expression)
            }
        }
        return expression
    }

    /// `name` or `name(args)` after a `.` (any word, keywords included), or as a term (base nil).
    private mutating func invocation(on base: Expression?) throws(FHIRPathError) -> Expression {
        let token = current
        guard case .identifier(let name, _) = token.kind else {
            throw FHIRPathError(.syntax, "Expected a name after '.', found \(Parser.describe(token))", at: token.position)
        }
        index += 1
        guard case .symbol("(") = current.kind else {
            return .member(base: base, name: name, position: token.position)
        }
        index += 1
        guard let function = FHIRPathFunction(rawValue: name) else {
            throw FHIRPathError(.unknownFunction, "Unknown function '\(name)'", at: token.position)
        }
        var arguments: [Expression] = []
        if current.kind != .symbol(")") {
            repeat {
                if function.takesType {
                    arguments.append(.type(try typeSpecifier()))
                } else {
                    arguments.append(try expression(level: 0))
                }
            } while take(",")
        }
        try expect(")")
        guard function.arity.contains(arguments.count) else {
            throw FHIRPathError(.wrongArguments, "\(name)() does not take \(arguments.count) argument(s)",
                                at: token.position)
        }
        return .function(base: base, function: function, arguments: arguments, position: token.position)
    }

    private mutating func term() throws(FHIRPathError) -> Expression {
        let token = current
        switch token.kind {
        case .identifier(let name, let delimited):
            if !delimited, name == "true" || name == "false" {
                index += 1
                return .literal(.boolean(name == "true"))
            }
            return try invocation(on: nil)
        case .string(let text):
            index += 1
            return .literal(.string(text))
        case .number(let text):
            index += 1
            return try quantity(after: text, at: token.position)
        case .temporal(let text):
            index += 1
            return .literal(try Parser.temporal(text, at: token.position))
        case .variable(let name):
            index += 1
            return .variable(name, position: token.position)
        case .special(let name):
            index += 1
            return name == "this" ? .this : (name == "index" ? .index : .total)
        case .symbol("("):
            index += 1
            let inner = try expression(level: 0)
            try expect(")")
            return inner
        case .symbol("{"):
            index += 1
            try expect("}")
            return .empty
        default:
            throw FHIRPathError(.syntax, "Unexpected \(Parser.describe(token))", at: token.position)
        }
    }

    private static let calendarWords: Set<String> = [
        "year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours", "minute", "minutes",
        "second", "seconds", "millisecond", "milliseconds",
    ]

    /// A number literal, or a quantity when a unit string or calendar keyword follows.
    private mutating func quantity(after number: String, at position: Int) throws(FHIRPathError) -> Expression {
        switch current.kind {
        case .string(let unit):
            index += 1
            return .literal(.quantity(FHIRPathQuantity(value: number, unit: unit)))
        case .identifier(let word, delimited: false) where Parser.calendarWords.contains(word):
            index += 1
            return .literal(.quantity(FHIRPathQuantity(value: number, unit: word)))
        default:
            if !number.contains("."), let integer = Int(number) { return .literal(.integer(integer)) }
            return .literal(.decimal(number))
        }
    }

    static func temporal(_ text: String, at position: Int) throws(FHIRPathError) -> FHIRPathValue {
        if text.hasPrefix("T"), let time = FHIRPathTemporal(time: String(text.dropFirst())) { return .time(time) }
        if !text.contains("T"), let date = FHIRPathTemporal(date: text) { return .date(date) }
        if let dateTime = FHIRPathTemporal(dateTime: text) { return .dateTime(dateTime) }
        throw FHIRPathError(.invalidValue, "Invalid date/time literal '@\(text)'", at: position)
    }

    /// `Name` or `Namespace.Name`.
    private mutating func typeSpecifier() throws(FHIRPathError) -> TypeSpecifier {
        guard case .identifier(let first, _) = current.kind else {
            throw FHIRPathError(.syntax, "Expected a type name, found \(Parser.describe(current))", at: current.position)
        }
        index += 1
        if case .symbol(".") = current.kind, case .identifier(let second, _) = tokens[index + 1].kind {
            index += 2
            return TypeSpecifier(namespace: first, name: second)
        }
        return TypeSpecifier(namespace: nil, name: first)
    }

    private mutating func take(_ symbol: String) -> Bool {
        guard current.kind == .symbol(symbol) else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ symbol: String) throws(FHIRPathError) {
        guard take(symbol) else {
            throw FHIRPathError(.syntax, "Expected '\(symbol)', found \(Parser.describe(current))", at: current.position)
        }
    }
}
