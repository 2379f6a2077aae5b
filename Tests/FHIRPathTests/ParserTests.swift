import FHIRCore
import FHIRPath
import Testing

@Suite("FHIRPath parser")
struct ParserTests {
    @Test("literals of every kind", arguments: [
        ("true", FHIRPathValue.boolean(true)), ("'a\\'b\\n\\u0041'", .string("a'b\nA")), ("42", .integer(42)),
        ("3.140", .decimal("3.140")), ("10 'mg'", .quantity(FHIRPathQuantity(value: "10", unit: "mg"))),
        ("4 days", .quantity(FHIRPathQuantity(value: "4", unit: "day"))),
    ])
    func literals(text: String, expected: FHIRPathValue) throws {
        #expect(try Fixtures.values(text) == [expected])
    }

    @Test("date, dateTime and time literals keep their precision")
    func temporalLiterals() throws {
        let values = try Fixtures.values("@2020-01 | @2015-02-04T14:34:28.123+09:00 | @T14:30 | @2015T")
        #expect(values.count == 4)
        guard case .date(let date) = values[0], case .dateTime(let dateTime) = values[1],
              case .time(let time) = values[2], case .dateTime(let year) = values[3]
        else { Issue.record("wrong kinds: \(values)"); return }
        #expect(date.precision == .month)
        #expect(dateTime.precision == .second && dateTime.fraction == "123" && dateTime.offsetMinutes == 540)
        #expect(time.precision == .minute)
        #expect(year.precision == .year)
    }

    @Test("operator precedence: * before +, + before comparison, and before or, implies last")
    func precedence() throws {
        #expect(try Fixtures.values("1 + 2 * 3") == [.integer(7)])
        #expect(try Fixtures.values("(1 + 2) * 3") == [.integer(9)])
        #expect(try Fixtures.values("2 + 3 > 4 and 1 = 2 or true") == [.boolean(true)])
        #expect(try Fixtures.values("false implies 1 = 2") == [.boolean(true)])
        #expect(try Fixtures.values("-2 + 5") == [.integer(3)])
        #expect(try Fixtures.values("7 div 2 = 3 and 7 mod 2 = 1") == [.boolean(true)])
        #expect(try Fixtures.values("1 | 2 | 1").count == 2)
    }

    @Test("keywords work as function names; backticks delimit identifiers; comments are skipped")
    func identifiers() throws {
        #expect(try Fixtures.eval("Patient.`name`.given.first() // first given") == [.string("Peter")])
        #expect(try Fixtures.values("Patient.name.given.first().contains('et') /* string function */") == [.boolean(true)])
        #expect(try Fixtures.values("'abc'.contains('b')") == [.boolean(true)])
        #expect(try Fixtures.values("Patient.name.given contains 'Jim'") == [.boolean(true)])
    }

    @Test("environment variables and special variables")
    func variables() throws {
        #expect(try Fixtures.values("%ucum") == [.string("http://unitsofmeasure.org")])
        #expect(try Fixtures.eval("%resource.id") == [.string("p1")])
        #expect(try Fixtures.values("Patient.name.given.where($index = 1)") == [.string("James")])
        let custom = try FHIRPathExpression("%`my var` + 1").evaluate(on: .null, environment: ["my var": [.integer(1)]])
        #expect(custom == [.integer(2)])
        #expect(try Fixtures.values("(1 | 2 | 3).aggregate($this + $total, 0)") == [.integer(6)])
    }

    @Test("syntax errors give the position", arguments: [
        ("Patient.name.", 13), ("Patient..name", 8), ("'unterminated", 0), ("1 +", 3), ("name.frobnicate()", 5),
        ("(1 + 2", 6), ("@2020-13-01", 0), ("name.where()", 5), ("a # b", 2),
    ])
    func syntaxErrors(text: String, position: Int) {
        do {
            _ = try FHIRPathExpression(text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.position == position, "\(text): \(error)")
        }
    }
}
