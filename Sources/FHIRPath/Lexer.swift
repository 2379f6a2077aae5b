/// A token of FHIRPath text with the offset (in characters) of its first character.
struct Token: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// An identifier or keyword; `delimited` for a backtick-quoted one (never a keyword).
        case identifier(String, delimited: Bool)
        case string(String)
        case number(String)
        /// `@...`: the text after `@`.
        case temporal(String)
        /// `%name`, `%'name'` or %`name`.
        case variable(String)
        /// `$this`, `$index`, `$total`.
        case special(String)
        case symbol(String)
        case end
    }

    let kind: Kind
    let position: Int
}

/// Splits FHIRPath text into tokens.
struct Lexer {
    private let chars: [Character]
    private var index = 0

    init(_ text: String) {
        chars = Array(text)
    }

    static func tokens(_ text: String) throws(FHIRPathError) -> [Token] {
        var lexer = Lexer(text)
        var result: [Token] = []
        while true {
            let token = try lexer.next()
            result.append(token)
            if token.kind == .end { return result }
        }
    }

    private func peek(_ offset: Int = 0) -> Character? {
        index + offset < chars.count ? chars[index + offset] : nil
    }

    private mutating func skipTrivia() throws(FHIRPathError) {
        while let char = peek() {
            if char.isWhitespace {
                index += 1
            } else if char == "/", peek(1) == "/" {
                while let next = peek(), next != "\n" { index += 1 }
            } else if char == "/", peek(1) == "*" {
                let start = index
                index += 2
                while peek() != nil, !(peek() == "*" && peek(1) == "/") { index += 1 }
                guard peek() != nil else { throw FHIRPathError(.syntax, "Unterminated comment", at: start) }
                index += 2
            } else {
                return
            }
        }
    }

    private mutating func next() throws(FHIRPathError) -> Token {
        try skipTrivia()
        let start = index
        guard let char = peek() else { return Token(kind: .end, position: index) }
        func token(_ kind: Token.Kind) -> Token { Token(kind: kind, position: start) }
        if char.isLetter || char == "_" {
            return token(.identifier(word(), delimited: false))
        }
        if char.isASCII, char.isNumber {
            return token(.number(number()))
        }
        switch char {
        case "'":
            return token(.string(try quoted("'")))
        case "`":
            return token(.identifier(try quoted("`"), delimited: true))
        case "@":
            index += 1
            var text = ""
            while let next = peek(), next.isASCII, next.isNumber || "-:T.Z+".contains(next) {
                text.append(next)
                index += 1
            }
            guard !text.isEmpty else { throw FHIRPathError(.syntax, "Expected a date or time after '@'", at: start) }
            return token(.temporal(text))
        case "%":
            index += 1
            switch peek() {
            case "'": return token(.variable(try quoted("'")))
            case "`": return token(.variable(try quoted("`")))
            case let next? where next.isLetter || next == "_": return token(.variable(word()))
            default: throw FHIRPathError(.syntax, "Expected a variable name after '%'", at: start)
            }
        case "$":
            index += 1
            let name = word()
            guard ["this", "index", "total"].contains(name) else {
                throw FHIRPathError(.syntax, "Unknown special variable '$\(name)'", at: start)
            }
            return token(.special(name))
        default:
            break
        }
        for symbol in ["<=", ">=", "!=", "!~"] where peek() == symbol.first && peek(1) == symbol.last {
            index += 2
            return token(.symbol(symbol))
        }
        guard ".[](),+-*/&|<>=~{}".contains(char) else {
            throw FHIRPathError(.syntax, "Unexpected character '\(char)'", at: start)
        }
        index += 1
        return token(.symbol(String(char)))
    }

    private mutating func word() -> String {
        var text = ""
        while let char = peek(), char.isLetter || char.isNumber || char == "_" {
            text.append(char)
            index += 1
        }
        return text
    }

    private mutating func number() -> String {
        var text = ""
        while let char = peek(), char.isASCII, char.isNumber {
            text.append(char)
            index += 1
        }
        if peek() == ".", let digit = peek(1), digit.isASCII, digit.isNumber {
            text.append(".")
            index += 1
            while let char = peek(), char.isASCII, char.isNumber {
                text.append(char)
                index += 1
            }
        }
        return text
    }

    /// A quoted string or delimited identifier with FHIRPath escapes.
    private mutating func quoted(_ quote: Character) throws(FHIRPathError) -> String {
        let start = index
        index += 1
        var text = ""
        while let char = peek() {
            index += 1
            if char == quote { return text }
            guard char == "\\" else {
                text.append(char)
                continue
            }
            guard let escaped = peek() else { break }
            index += 1
            switch escaped {
            case "'", "\"", "`", "\\", "/": text.append(escaped)
            case "f": text.append("\u{0C}")
            case "n": text.append("\n")
            case "r": text.append("\r")
            case "t": text.append("\t")
            case "u":
                let hex = String(chars[index..<min(index + 4, chars.count)])
                guard hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw FHIRPathError(.syntax, "Invalid \\u escape", at: index - 2)
                }
                text.unicodeScalars.append(scalar)
                index += 4
            default:
                throw FHIRPathError(.syntax, "Invalid escape '\\\(escaped)'", at: index - 2)
            }
        }
        throw FHIRPathError(.syntax, "Unterminated \(quote == "'" ? "string" : "delimited identifier")", at: start)
    }
}
