import FHIRCore
import FHIRPath
@testable import FHIRProfiles
import Foundation
import Testing

/// Index rows by parameter type and datatype, expected rows written by hand from https://hl7.org/fhir/R4/search.html.
@Suite("Search index extraction")
struct SearchIndexExtractorTests {
    static let extractor = Result { try SearchIndexExtractor(registry: TestSupport.registry.get()) }

    func entries(_ json: String) throws -> SearchIndexEntries {
        let entries = try Self.extractor.get().entries(for: TestSupport.resource(json))
        #expect(entries.failures.isEmpty)
        return entries
    }

    /// Seconds since 1970 of a UTC time written `yyyy-MM-ddTHH:mm:ss`.
    func seconds(_ text: String) throws -> Double {
        try #require(FHIRDateTime(text + "Z")).lowerBound.timeIntervalSince1970
    }

    @Test("A year birthDate covers the whole year")
    func birthDateYear() throws {
        let rows = try entries(#"{"resourceType":"Patient","birthDate":"1970"}"#).dates
        #expect(rows == [.init(parameter: "birthdate", low: 0, high: try seconds("1971-01-01T00:00:00"))])
    }

    @Test("Names are indexed per part, normalised, and kept as written for :exact")
    func humanName() throws {
        let rows = try entries(#"""
            {"resourceType":"Patient","name":[{"family":"Müller-Lüdenscheidt","given":["Mélanie","Zoë"],"prefix":["Dr."]}]}
            """#).strings
        let name = rows.filter { $0.parameter == "name" }.map { "\($0.value)|\($0.exact)" }.sorted()
        #expect(name == ["dr.|Dr.", "melanie|Mélanie", "muller-ludenscheidt|Müller-Lüdenscheidt", "zoe|Zoë"])
        #expect(rows.filter { $0.parameter == "family" }.map(\.value) == ["muller-ludenscheidt"])
        #expect(rows.filter { $0.parameter == "given" }.map(\.value) == ["melanie", "zoe"])
    }

    @Test("Address parts are indexed each on its own")
    func address() throws {
        let rows = try entries(#"""
            {"resourceType":"Patient","address":[{"line":["1 Rue de l'Église"],"city":"Besançon","postalCode":"25000","country":"FR"}]}
            """#).strings
        #expect(rows.filter { $0.parameter == "address" }.map(\.value) == ["1 rue de l'eglise", "besancon", "25000", "fr"])
        #expect(rows.filter { $0.parameter == "address-city" }.map(\.value) == ["besancon"])
        #expect(rows.filter { $0.parameter == "address-postalcode" }.map(\.exact) == ["25000"])
    }

    @Test("Tokens: code, boolean, Identifier with type text, ContactPoint, _tag")
    func tokens() throws {
        let rows = try entries(#"""
            {"resourceType":"Patient","meta":{"tag":[{"system":"http://t","code":"vip","display":"Very Important"}]},
             "active":true,"gender":"female",
             "identifier":[{"type":{"text":"Médical record"},"system":"http://hospital/mrn","value":"123"}],
             "telecom":[{"system":"phone","value":"+33 1 23","use":"home"}]}
            """#).tokens
        // gender is a `code` bound to administrative-gender: the row carries that code system (see below).
        #expect(rows.contains(.init(parameter: "gender", system: "http://hl7.org/fhir/administrative-gender", code: "female")))
        #expect(rows.contains(.init(parameter: "active", code: "true")))
        #expect(rows.contains(.init(parameter: "identifier", system: "http://hospital/mrn", code: "123", text: "medical record")))
        #expect(rows.contains(.init(parameter: "phone", code: "+33 1 23")))
        #expect(rows.contains(.init(parameter: "telecom", code: "+33 1 23")))
        #expect(rows.contains(.init(parameter: "_tag", system: "http://t", code: "vip", text: "very important")))
        #expect(!rows.contains { $0.parameter == "_id" })
    }

    @Test("code elements: the system of their required binding when one system of its value set has the code")
    func implicitSystems() throws {
        let patient = try entries(#"""
            {"resourceType":"Patient","gender":"other","address":[{"use":"home"},{"use":"elsewhere"}]}
            """#).tokens
        #expect(patient.contains(.init(parameter: "gender", system: "http://hl7.org/fhir/administrative-gender", code: "other")))
        #expect(patient.contains(.init(parameter: "address-use", system: "http://hl7.org/fhir/address-use", code: "home")))
        #expect(patient.contains(.init(parameter: "address-use", code: "elsewhere")), "not in the value set: no system")
        // task-intent expands to the request-intent codes plus its own `unknown`.
        let task = try entries(#"{"resourceType":"Task","status":"ready","intent":"order"}"#).tokens
        #expect(task.contains(.init(parameter: "intent", system: "http://hl7.org/fhir/request-intent", code: "order")))
        #expect(task.contains(.init(parameter: "status", system: "http://hl7.org/fhir/task-status", code: "ready")))
        let unknownIntent = try entries(#"{"resourceType":"Task","status":"ready","intent":"unknown"}"#).tokens
        #expect(unknownIntent.contains(.init(parameter: "intent", system: "http://hl7.org/fhir/task-intent", code: "unknown")))
        // mimetypes is a required binding that is not expanded: no system to give.
        let document = try entries(#"""
            {"resourceType":"DocumentReference","status":"current","content":[{"attachment":{"contentType":"application/pdf"}}]}
            """#).tokens
        #expect(document.contains(.init(parameter: "contenttype", code: "application/pdf")))
        #expect(document.contains(
            .init(parameter: "status", system: "http://hl7.org/fhir/document-reference-status", code: "current")))
    }

    @Test("CodeableConcept: each coding with its display, and its text")
    func codeableConcept() throws {
        let rows = try entries(#"""
            {"resourceType":"Observation","status":"final","code":{"coding":[
              {"system":"http://loinc.org","code":"15074-8","display":"Glucose"},{"code":"GLU"}],"text":"Blood sugar"}}
            """#).tokens.filter { $0.parameter == "code" }
        #expect(rows == [
            .init(parameter: "code", system: "http://loinc.org", code: "15074-8", text: "glucose"),
            .init(parameter: "code", code: "GLU"),
            .init(parameter: "code", code: "", text: "blood sugar"),
        ])
    }

    @Test("Quantity: value with the range of its significant digits, system and code")
    func quantity() throws {
        let entries = try entries(#"""
            {"resourceType":"Observation","status":"final","code":{"text":"x"},
             "valueQuantity":{"value":5.4,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}
            """#)
        let number = SearchIndexEntries.Number(parameter: "value-quantity", value: "5.4", halfUnit: "5e-2")
        #expect(entries.quantities.filter { $0.number.parameter == "value-quantity" }
            == [.init(number: number, system: "http://unitsofmeasure.org", code: "mg")])
    }

    @Test("Money is a quantity in ISO 4217")
    func money() throws {
        let rows = try entries(#"""
            {"resourceType":"Invoice","status":"issued","totalNet":{"value":100,"currency":"EUR"}}
            """#).quantities
        let number = SearchIndexEntries.Number(parameter: "totalnet", value: "100", halfUnit: "5e-1")
        #expect(rows == [.init(number: number, system: "urn:iso:std:iso:4217", code: "EUR")])
    }

    @Test("Numbers carry half the unit of their last digit")
    func numbers() throws {
        let rows = try entries(#"""
            {"resourceType":"ChargeItem","status":"billable","code":{"text":"x"},"subject":{"reference":"Patient/p"},
             "factorOverride":0.250}
            """#).numbers
        #expect(rows == [.init(parameter: "factor-override", value: "0.250", halfUnit: "5e-4")])
    }

    @Test("A Period with an open end runs to infinity; dateTimes at their precision")
    func periods() throws {
        let rows = try entries(#"""
            {"resourceType":"Encounter","status":"in-progress","class":{"code":"AMB"},
             "period":{"start":"2026-03-01T10:00:00Z"}}
            """#).dates
        #expect(rows == [.init(parameter: "date", low: try seconds("2026-03-01T10:00:00"), high: .infinity)])
        let closed = try entries(#"""
            {"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},
             "period":{"start":"2026-03-01","end":"2026-03-02T10:30:00+02:00"}}
            """#).dates
        #expect(closed == [.init(parameter: "date", low: try seconds("2026-03-01T00:00:00"),
                                 high: try seconds("2026-03-02T08:30:01"))])
    }

    @Test("Timing: each event at its precision")
    func timing() throws {
        let rows = try entries(#"""
            {"resourceType":"ServiceRequest","status":"active","intent":"order","subject":{"reference":"Patient/p"},
             "occurrenceTiming":{"event":["2026-05-01","2026-05-03T09:30:00Z"]}}
            """#).dates
        #expect(rows == [
            .init(parameter: "occurrence", low: try seconds("2026-05-01T00:00:00"), high: try seconds("2026-05-02T00:00:00")),
            .init(parameter: "occurrence", low: try seconds("2026-05-03T09:30:00"), high: try seconds("2026-05-03T09:30:01")),
        ])
    }

    @Test("Appointment participants: local, absolute and contained references")
    func references() throws {
        let rows = try entries(#"""
            {"resourceType":"Appointment","status":"booked","contained":[{"resourceType":"Location","id":"room"}],
             "participant":[
              {"actor":{"reference":"Patient/p1"},"status":"accepted"},
              {"actor":{"reference":"https://other.example/fhir/Practitioner/dr7/_history/2"},"status":"accepted"},
              {"actor":{"reference":"#room"},"status":"accepted"},
              {"actor":{"reference":"urn:uuid:0c3e4d9a-7d2f-4f1e-9a51-2f9e8b7c6d5e"},"status":"accepted"},
              {"actor":{"identifier":{"value":"x"}},"status":"accepted"}]}
            """#).references
        #expect(rows.filter { $0.parameter == "actor" } == [
            .init(parameter: "actor", targetType: "Patient", targetID: "p1"),
            .init(parameter: "actor", targetType: "Practitioner", targetID: "dr7",
                  url: "https://other.example/fhir/Practitioner/dr7/_history/2"),
            .init(parameter: "actor", url: "urn:uuid:0c3e4d9a-7d2f-4f1e-9a51-2f9e8b7c6d5e"),
        ])
        #expect(rows.filter { $0.parameter == "patient" } == [.init(parameter: "patient", targetType: "Patient", targetID: "p1")])
        #expect(rows.filter { $0.parameter == "practitioner" }.map(\.targetID) == ["dr7"])
    }

    @Test("Canonicals are references by URL without their version, and uris as written")
    func canonicals() throws {
        let entries = try entries(#"""
            {"resourceType":"ServiceRequest","status":"active","intent":"order","subject":{"reference":"Patient/p"},
             "instantiatesCanonical":["http://example.org/PlanDefinition/pd1|2.0"],
             "instantiatesUri":["urn:oid:1.2.3"],"meta":{"profile":["http://p/StructureDefinition/x"]}}
            """#)
        #expect(entries.references.filter { $0.parameter == "instantiates-canonical" } == [
            .init(parameter: "instantiates-canonical", targetType: "PlanDefinition", targetID: "pd1",
                  url: "http://example.org/PlanDefinition/pd1"),
        ])
        #expect(entries.uris.sorted { $0.parameter < $1.parameter } == [
            .init(parameter: "_profile", value: "http://p/StructureDefinition/x"),
            .init(parameter: "instantiates-uri", value: "urn:oid:1.2.3"),
        ])
    }

    @Test("Significant digits of decimals")
    func lastDigitExponents() throws {
        let rows = try ["100", "5.40", "1e3", "-0.5", "2.5E-2"].map { text in
            try #require(DecimalPrecision.lastDigitExponent(of: text))
        }
        #expect(rows == [0, -2, 3, -1, -3])
    }

    @Test("Every official example indexes without error")
    func officialExamples() throws {
        guard let directory = TestSupport.examplesDirectory else {
            print("note: ../shared/fhir-r4/examples is absent; skipping the official examples")
            return
        }
        let extractor = try Self.extractor.get()
        var failures: [String] = []
        var rows = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where file.hasSuffix(".json") {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            guard let resource = try? FHIRResource(parsing: data) else { continue }
            let entries = extractor.entries(for: resource)
            rows += entries.strings.count + entries.tokens.count + entries.dates.count + entries.references.count
                + entries.quantities.count + entries.numbers.count + entries.uris.count
            for (code, error) in entries.failures.sorted(by: { $0.key < $1.key }) { failures.append("\(file) \(code): \(error)") }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(rows > 1_000)
    }

    @Test("Element names as FHIRPath sees them: extensions of primitives, choice elements with and without their type")
    func elementNames() throws {
        let resource = try TestSupport.resource(#"""
            {"resourceType":"Patient","multipleBirthBoolean":true,"_birthDate":{"extension":[]},"deceasedDateTime":"2020"}
            """#)
        let names = SearchIndexExtractor.elementNames(of: resource.json)
        #expect(names.isSuperset(of: ["multipleBirth", "multipleBirthBoolean", "birthDate", "deceased", "deceasedDateTime"]))
    }

    @Test("A parameter left unevaluated because the resource lacks its elements finds nothing on any official example")
    func unevaluatedParametersFindNothing() throws {
        guard let directory = TestSupport.examplesDirectory else {
            print("note: ../shared/fhir-r4/examples is absent; skipping the official examples")
            return
        }
        let extractor = try Self.extractor.get()
        var wrong: [String] = []
        var skipped = 0
        var evaluated = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where file.hasSuffix(".json") {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            guard let resource = try? FHIRResource(parsing: data),
                  let parameters = extractor.parametersByType[resource.resourceType]
            else { continue }
            let present = SearchIndexExtractor.elementNames(of: resource.json)
            for parameter in parameters {
                guard let reach = parameter.reach, reach.isDisjoint(with: present) else {
                    evaluated += 1
                    continue
                }
                skipped += 1
                let found = (try? parameter.expression.evaluate(on: .object(resource.json))) ?? []
                if !found.isEmpty { wrong.append("\(file) \(parameter.code): \(found.count) values") }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.joined(separator: "\n"))")
        #expect(skipped > 3_000, "skipped \(skipped), evaluated \(evaluated)")
    }
}
