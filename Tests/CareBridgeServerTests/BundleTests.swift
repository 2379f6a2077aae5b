import FHIRCore
import Foundation
import Testing

/// batch and transaction Bundles (https://hl7.org/fhir/R4/http.html#transaction).
@Suite("Batch and transaction")
struct BundleTests {
    static func entry(_ method: String, _ url: String, resource: String? = nil, fullUrl: String? = nil, extra: String = "") -> String {
        var members: [String] = []
        if let fullUrl { members.append(#""fullUrl":"\#(fullUrl)""#) }
        if let resource { members.append(#""resource":\#(resource)"#) }
        members.append(#""request":{"method":"\#(method)","url":"\#(url)"\#(extra)}"#)
        return "{" + members.joined(separator: ",") + "}"
    }

    static func observation(subject: String) -> String {
        #"""
        {"resourceType":"Observation","status":"final","code":{"text":"Heart rate"},"subject":{"reference":"\#(subject)"},
         "performer":[{"reference":"\#(subject)"}],"valueQuantity":{"value":72.50,"unit":"/min"}}
        """#
    }

    @Test("a failing entry rolls back every other entry of the transaction")
    func atomicity() async throws {
        try await Hub.run { hub in
            let existing = try await hub.create(Sample.patient(family: "Untouched"))
            let before = try await hub.footprint()
            let bundle = Sample.bundle("transaction", [
                Self.entry("POST", "Patient", resource: Sample.patient(identifier: "T1")),
                Self.entry("PUT", "Patient/\(existing)", resource: Sample.patient(id: existing, family: "Changed")),
                Self.entry("DELETE", "Patient/\(existing)"),
                Self.entry("POST", "Patient", resource: #"{"resourceType":"Patient","gender":"robot"}"#),
            ])
            let reply = try await hub.post("/fhir", bundle)
            try reply.expectError(422)
            let expressions = try ErrorTests.expressions(reply)
            #expect(expressions.contains { $0.hasPrefix("Bundle.entry[3]") }, "\(reply.text)")

            #expect(try await hub.footprint() == before, "nothing of the transaction was stored")
            let current = try await hub.get("/fhir/Patient/\(existing)")
            #expect(current.status == 200)
            #expect(try current.json.string("name.0.family") == "Untouched")
            #expect(try await hub.storedVersions("Patient", existing) == [1])

            let dangling = Sample.bundle("transaction", [
                Self.entry("POST", "Patient", resource: Sample.patient()),
                Self.entry("POST", "Observation", resource: Self.observation(subject: "urn:uuid:0f5d4b9c-0000-4000-8000-000000000000")),
            ])
            try await hub.post("/fhir", dangling).expectError(400)
            #expect(try await hub.footprint() == before)
        }
    }

    @Test("urn:uuid references are rewritten to the assigned ids; responses are in request order")
    func references() async throws {
        try await Hub.run { hub in
            let patientURL = "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"
            let bundle = Sample.bundle("transaction", [
                Self.entry("POST", "Observation", resource: Self.observation(subject: patientURL), fullUrl: "urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059"),
                Self.entry("POST", "Patient", resource: Sample.patient(identifier: "R1"), fullUrl: patientURL),
                Self.entry("PUT", "Patient/fixed-id", resource: Sample.patient(id: "fixed-id")),
            ])
            let reply = try await hub.post("/fhir", bundle)
            #expect(reply.status == 200, "\(reply.text)")
            let response = try reply.json
            #expect(response["type"]?.stringValue == "transaction-response")
            #expect(response.entries.compactMap { $0.string("response.status") }.map { $0.prefix(3) } == ["201", "201", "201"])
            let observationLocation = try #require(response.string("entry.0.response.location"))
            let patientLocation = try #require(response.string("entry.1.response.location"))
            #expect(observationLocation.hasPrefix("Observation/") && observationLocation.hasSuffix("/_history/1"))
            #expect(patientLocation.hasPrefix("Patient/") && patientLocation.hasSuffix("/_history/1"))
            #expect(response.string("entry.2.response.location") == "Patient/fixed-id/_history/1")
            #expect(response.entries.allSatisfy { $0.string("response.etag") == #"W/"1""# })

            let patientID = patientLocation.split(separator: "/")[1]
            let observationID = observationLocation.split(separator: "/")[1]
            let observation = try await hub.get("/fhir/Observation/\(observationID)").json
            #expect(observation.string("subject.reference") == "Patient/\(patientID)")
            #expect(observation.string("performer.0.reference") == "Patient/\(patientID)")
            #expect(observation[path: "valueQuantity.value"]?.numberText == "72.50")
            #expect(try await hub.get("/fhir/Patient/\(patientID)").json.string("identifier.0.value") == "R1")
        }
    }

    @Test("ifNoneExist inside a transaction: a match is reused and references point to it")
    func conditionalCreate() async throws {
        try await Hub.run { hub in
            let existing = try await hub.create(Sample.patient(identifier: "K1"))
            let patientURL = "urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0"
            let bundle = Sample.bundle("transaction", [
                Self.entry("POST", "Patient", resource: Sample.patient(family: "Duplicate", identifier: "K1"), fullUrl: patientURL,
                           extra: #","ifNoneExist":"identifier=urn:test:mrn|K1""#),
                Self.entry("POST", "Observation", resource: Self.observation(subject: patientURL)),
                Self.entry("POST", "Patient", resource: Sample.patient(identifier: "K2"), extra: #","ifNoneExist":"identifier=urn:test:mrn|K2""#),
            ])
            let reply = try await hub.post("/fhir", bundle)
            #expect(reply.status == 200, "\(reply.text)")
            let response = try reply.json
            #expect(response.string("entry.0.response.status")?.hasPrefix("200") == true)
            #expect(response.string("entry.0.response.location") == "Patient/\(existing)/_history/1")
            #expect(response.string("entry.2.response.status")?.hasPrefix("201") == true)
            let observationID = try #require(response.string("entry.1.response.location")?.split(separator: "/")[1])
            #expect(try await hub.get("/fhir/Observation/\(observationID)").json.string("subject.reference") == "Patient/\(existing)")
            #expect(try await hub.count("resource", type: "Patient") == 2)
            #expect(try await hub.get("/fhir/Patient/\(existing)").json.string("name.0.family") == "Chalmers")
        }
    }

    @Test("entries run DELETE, then POST, then PUT/PATCH, then GET, whatever their order in the Bundle")
    func processingOrder() async throws {
        try await Hub.run { hub in
            let doomed = try await hub.create(Sample.patient(family: "Doomed", identifier: "O3"))
            try await hub.put("/fhir/Patient/order-p", Sample.patient(id: "order-p", family: "Original"))
            let patch = Data(#"[{"op":"add","path":"/gender","value":"other"}]"#.utf8).base64EncodedString()
            let binary = #"{"resourceType":"Binary","contentType":"application/json-patch+json","data":"\#(patch)"}"#
            let bundle = Sample.bundle("transaction", [
                Self.entry("GET", "Patient/order-p"),
                Self.entry("GET", "Patient?identifier=urn:test:mrn|O3"),
                Self.entry("PATCH", "Patient/order-p", resource: binary),
                Self.entry("PUT", "Patient/order-q", resource: Sample.patient(id: "order-q", family: "Q")),
                Self.entry("POST", "Patient", resource: Sample.patient(family: "Newcomer", identifier: "O3"),
                           extra: #","ifNoneExist":"identifier=urn:test:mrn|O3""#),
                Self.entry("DELETE", "Patient?identifier=urn:test:mrn|O3"),
            ])
            let reply = try await hub.post("/fhir", bundle)
            #expect(reply.status == 200, "\(reply.text)")
            let response = try reply.json
            let statuses = response.entries.compactMap { $0.string("response.status")?.prefix(3) }
            // The DELETE ran first, so the conditional create found nothing and created (201); had it run
            // second, the create would have matched `doomed` (200) and the DELETE found two (412).
            #expect(statuses == ["200", "200", "200", "201", "201", "204"])
            // GETs ran last: they see the PATCH and the new O3 patient, not the deleted one.
            #expect(response.string("entry.0.resource.gender") == "other")
            #expect(response.string("entry.0.resource.meta.versionId") == "2")
            let found = response[path: "entry.1.resource"]?.entries.compactMap { $0.string("resource.name.0.family") }
            #expect(found == ["Newcomer"])
            try await hub.get("/fhir/Patient/\(doomed)").expectError(410)
        }
    }

    @Test("two entries that change the same resource fail the transaction")
    func overlap() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient(identifier: "V1"))
            let before = try await hub.footprint()
            let twice = Sample.bundle("transaction", [
                Self.entry("PUT", "Patient/\(id)", resource: Sample.patient(id: id, family: "First")),
                Self.entry("PUT", "Patient/\(id)", resource: Sample.patient(id: id, family: "Second")),
            ])
            try await hub.post("/fhir", twice).expectError(400)
            let deleteAndUpdate = Sample.bundle("transaction", [
                Self.entry("PUT", "Patient/\(id)", resource: Sample.patient(id: id, family: "Revived")),
                Self.entry("DELETE", "Patient/\(id)"),
            ])
            try await hub.post("/fhir", deleteAndUpdate).expectError(400)
            #expect(try await hub.footprint() == before)
            #expect(try await hub.storedVersions("Patient", id) == [1])
        }
    }

    @Test("batch entries succeed or fail on their own, with an outcome for each failure")
    func batch() async throws {
        try await Hub.run { hub in
            let bundle = Sample.bundle("batch", [
                Self.entry("POST", "Patient", resource: Sample.patient(identifier: "B1")),
                Self.entry("POST", "Patient", resource: #"{"resourceType":"Patient","gender":"robot"}"#),
                Self.entry("GET", "Patient/missing"),
                Self.entry("PUT", "Patient/batch-1", resource: Sample.patient(id: "batch-1")),
                #"{"resource":\#(Sample.patient())}"#,
                Self.entry("DELETE", "metadata"),
                Self.entry("GET", "Patient?identifier=B1"),
            ])
            let reply = try await hub.post("/fhir", bundle)
            #expect(reply.status == 200, "\(reply.text)")
            let response = try reply.json
            #expect(response["type"]?.stringValue == "batch-response")
            let statuses = response.entries.compactMap { $0.string("response.status")?.prefix(3) }
            #expect(statuses == ["201", "422", "404", "201", "400", "405", "200"])
            for failed in [1, 2, 4, 5] {
                #expect(response.string("entry.\(failed).response.outcome.resourceType") == "OperationOutcome", "entry \(failed)")
            }
            #expect(response.string("entry.0.response.location")?.hasPrefix("Patient/") == true)
            #expect(response.string("entry.0.response.etag") == #"W/"1""#)
            #expect(response.string("entry.3.response.location") == "Patient/batch-1/_history/1")
            #expect(response[path: "entry.6.resource"]?.entries.count == 1)
            #expect(try await hub.count("resource", type: "Patient") == 2)
        }
    }

    @Test("Bundles that are not batch or transaction are refused")
    func wrongBundles() async throws {
        try await Hub.run { hub in
            try await hub.post("/fhir", #"{"resourceType":"Bundle","type":"collection","entry":[]}"#).expectError(400)
            try await hub.post("/fhir", Sample.patient()).expectError(400)
            try await hub.post("/fhir", "{").expectError(400)
            let nested = Sample.bundle("transaction", [Self.entry("POST", "Patient", resource: Sample.patient()), #"{"request":{"method":"GET"}}"#])
            try await hub.post("/fhir", nested).expectError(400)
            #expect(try await hub.footprint() == [0, 0, 0])
            let empty = try await hub.post("/fhir", Sample.bundle("transaction", []))
            #expect(empty.status == 200)
        }
    }
}
