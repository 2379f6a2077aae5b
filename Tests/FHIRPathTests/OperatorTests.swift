import FHIRCore
import FHIRPath
import Testing

@Suite("FHIRPath operators (spec §6)")
struct OperatorTests {
    private func value(_ text: String) throws -> [FHIRPathValue] { try Fixtures.values(text) }

    @Test("three-valued logic with the empty collection", arguments: [
        ("true and {}", nil), ("false and {}", false), ("true or {}", true), ("false or {}", nil),
        ("{} xor true", nil), ("true xor true", false), ("{} implies true", true), ("true implies {}", nil),
        ("false implies {}", true), ("{}.not()", nil), ("{} and {}", nil),
    ] as [(String, Bool?)])
    func logic(text: String, expected: Bool?) throws {
        #expect(try value(text) == (expected.map { [FHIRPathValue.boolean($0)] } ?? []))
    }

    @Test("equality and equivalence", arguments: [
        ("1 = 1.0", true), ("1.50 = 1.5", true), ("'a' = 'A'", false), ("'a  B' ~ 'A b'", true),
        ("1.2 ~ 1.23", true), ("@2012-01-01 = @2012-01-01", true), ("@2012 ~ @2012-01", false),
        ("Patient.name.given = ('Peter' | 'James' | 'Jim')", true), ("{} ~ {}", true), ("1 != 2", true),
        ("Patient.birthDate = @1974-12-25", true), ("Patient.name[0] = Patient.name[0]", true),
        ("10 'mg' = 0.01 'g'", true), ("1 'kg' != 1000 'g'", false), ("'a' !~ 'A'", false),
    ])
    func equality(text: String, expected: Bool) throws {
        #expect(try value(text) == [.boolean(expected)], "\(text)")
    }

    @Test("equality with an empty side, or dates of different precision, is empty", arguments: [
        "1 = {}", "{} != 'a'", "@2012-01-01 = @2012-01-01T10:00", "@2012-01 < @2012-01-15",
        "@2012-01-01T10:30 = @2012-01-01T10:30:00", "10 'mg' < 1 'm'",
    ])
    func unknownComparisons(text: String) throws {
        #expect(try value(text).isEmpty, "\(text)")
    }

    @Test("ordering of numbers, strings, dates, times and quantities", arguments: [
        ("1 < 2", true), ("1.10 < 1.1", false), ("0.1 + 0.2 = 0.3", true), ("'abc' < 'abd'", true),
        ("@2012-01-01 < @2012-01-02T10:00", true), ("@2018-03-01T10:30+01:00 = @2018-03-01T09:30Z", true),
        ("@T10:30 > @T09:59:59.999", true), ("5 'mg' <= 1 'g'", true), ("Patient.birthDate < @2000", true),
        ("Patient.meta.lastUpdated >= @2020-01-02T10:00:00Z", true), ("2 >= 2.0", true),
    ])
    func ordering(text: String, expected: Bool) throws {
        #expect(try value(text) == [.boolean(expected)], "\(text)")
    }

    @Test("arithmetic keeps decimals exact")
    func arithmetic() throws {
        #expect(try value("1.1 + 2.2") == [.decimal("3.3")])
        #expect(try value("7 / 2") == [.decimal("3.5")])
        #expect(try value("-7 div 2") == [.integer(-3)])
        #expect(try value("5.5 mod 2") == [.decimal("1.5")])
        #expect(try value("1 / 0").isEmpty)
        #expect(try value("'a' + 'b'") == [.string("ab")])
        #expect(try value("1 'mg' + 2 'mg'") == [.quantity(FHIRPathQuantity(value: "3", unit: "mg"))])
        #expect(throws: FHIRPathError.self) { try value("1 + 'a'") }
    }

    @Test("membership, type tests and singleton errors")
    func membership() throws {
        #expect(try value("'Jim' in Patient.name.given") == [.boolean(true)])
        #expect(try value("Patient.name.given contains 'Bob'") == [.boolean(false)])
        #expect(try value("1 is Integer and 'a' is System.String and 1.0 is Decimal") == [.boolean(true)])
        #expect(try value("Patient is Patient and Patient is DomainResource and Patient is Resource") == [.boolean(true)])
        #expect(try value("(1 as String).empty()") == [.boolean(true)])
        #expect(throws: FHIRPathError.self) { try value("Patient.name.given < 'z'") }
    }

    @Test("today() and now() are a Date and a DateTime")
    func clock() throws {
        let values = try value("today() | now()")
        guard values.count == 2, case .date(let today) = values[0], case .dateTime(let now) = values[1] else {
            Issue.record("\(values)")
            return
        }
        #expect(today.precision == .day)
        #expect(now.precision == .second && now.offsetMinutes != nil)
        #expect(try value("today() <= now().toDate() and now() > @2020-01-01T00:00:00Z") == [.boolean(true)])
    }
}
