import Store
import Testing

@Suite("Conditional criteria parsing")
struct ConditionalCriteriaTests {
    @Test("supported parameters are read into clauses, values split on commas and decoded")
    func supported() throws {
        let criteria = try ConditionalCriteria(queryString: "identifier=http://a|1,%7C2&_id=x")
        #expect(criteria.clauses == [
            .init(parameter: "identifier", values: ["http://a|1", "|2"]),
            .init(parameter: "_id", values: ["x"]),
        ])
        #expect(criteria.canonicalText == "_id=x&identifier=http://a|1,|2")
    }

    @Test(
        "token forms are kept as written",
        arguments: ["system|code", "|code", "code", "system|", "http://hl7.org/fhir/sid/us-ssn|123-45-6789"]
    )
    func tokenForms(_ token: String) throws {
        let criteria = try ConditionalCriteria(queryString: "identifier=\(token)")
        #expect(criteria.clauses == [.init(parameter: "identifier", values: [token])])
    }

    @Test("percent-encoding and + are decoded")
    func decoding() throws {
        let criteria = try ConditionalCriteria(queryString: "identifier=urn%3Aoid%3A1.2%7Ca+b")
        #expect(criteria.clauses.first?.values == ["urn:oid:1.2|a b"])
    }

    @Test("the canonical text does not depend on parameter order, so identical requests share one lock")
    func canonical() throws {
        let one = try ConditionalCriteria(queryString: "identifier=a|1&_id=x")
        let two = try ConditionalCriteria(queryString: "_id=x&identifier=a%7C1")
        #expect(one.canonicalText == two.canonicalText)
    }

    @Test(
        "unsupported parameters, modifiers and empty criteria are refused",
        arguments: [
            "name=Doe", "identifier:exact=a|1", "identifier:not=a|1", "_lastUpdated=gt2020", "identifier=1&family=x",
            "_format=json", "", "&&", "identifier=", "identifier", "_id=", "=x",
        ]
    )
    func refused(_ query: String) {
        #expect {
            try ConditionalCriteria(queryString: query)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .invalidRequest && !error.message.isEmpty
        }
    }

    @Test("the refusal names the parameter")
    func refusalMessage() {
        #expect {
            try ConditionalCriteria(queryString: "birthdate=2000")
        } throws: { error in
            (error as? StoreError)?.message.contains("birthdate") == true
        }
    }
}
