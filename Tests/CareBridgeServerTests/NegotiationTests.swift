import FHIRCore
import Foundation
import HTTPTypes
import Testing

/// `_format` and `Accept`, request content types, and `GET /metadata`.
@Suite("Content negotiation and capabilities")
struct NegotiationTests {
    @Test("_format and Accept choose JSON; XML alone is 406 with an OperationOutcome")
    func responseFormats() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let path = "/fhir/Patient/\(id)"
            for format in ["json", "application/fhir+json", "application/json+fhir"] {
                let reply = try await hub.get("\(path)?_format=\(format)")
                #expect(reply.status == 200, "_format=\(format)")
                #expect(reply.header("Content-Type")?.hasPrefix("application/fhir+json") == true)
            }
            let plain = try await hub.get("\(path)?_format=application/json")
            #expect(plain.status == 200)
            #expect(plain.header("Content-Type")?.hasPrefix("application/json") == true)

            for format in ["xml", "application/fhir+xml", "text/xml", "ttl"] {
                try await hub.get("\(path)?_format=\(format)").expectError(406)
            }
            try await hub.get(path, headers: ["Accept": "application/fhir+xml"]).expectError(406)
            try await hub.get(path, headers: ["Accept": "application/xml, text/xml"]).expectError(406)

            for accept in ["application/fhir+json", "*/*", "application/fhir+xml, application/fhir+json;q=0.9", "application/*"] {
                let reply = try await hub.get(path, headers: ["Accept": accept])
                #expect(reply.status == 200, "Accept: \(accept)")
                #expect(reply.header("Content-Type")?.hasPrefix("application/fhir+json") == true)
            }
            let json = try await hub.get(path, headers: ["Accept": "application/json"])
            #expect(json.status == 200)
            #expect(json.header("Content-Type")?.hasPrefix("application/json") == true)

            // `_format` overrides `Accept`.
            #expect(try await hub.get("\(path)?_format=json", headers: ["Accept": "application/fhir+xml"]).status == 200)
            try await hub.get("\(path)?_format=xml", headers: ["Accept": "application/fhir+json"]).expectError(406)
        }
    }

    @Test("XML and other non-JSON bodies are 415 and store nothing")
    func requestFormats() async throws {
        try await Hub.run { hub in
            let xml = #"<Patient xmlns="http://hl7.org/fhir"><active value="true"/></Patient>"#
            for type in ["application/fhir+xml", "application/xml", "text/plain"] {
                try await hub.send(.post, "/fhir/Patient", body: xml, headers: ["Content-Type": type]).expectError(415)
                try await hub.send(.put, "/fhir/Patient/x", body: xml, headers: ["Content-Type": type]).expectError(415)
            }
            #expect(try await hub.footprint() == [0, 0, 0])
            let json = try await hub.send(
                .post, "/fhir/Patient", body: Sample.patient(), headers: ["Content-Type": "application/json; charset=utf-8"]
            )
            #expect(json.status == 201)
        }
    }

    @Test("GET /metadata: a CapabilityStatement for FHIR 4.0.1 listing every served type and its interactions")
    func capabilityStatement() async throws {
        try await Hub.run { hub in
            let reply = try await hub.get("/fhir/metadata")
            #expect(reply.status == 200)
            let statement = try reply.json
            #expect(statement["resourceType"]?.stringValue == "CapabilityStatement")
            #expect(statement["fhirVersion"]?.stringValue == "4.0.1")
            #expect(statement["kind"]?.stringValue == "instance")
            let formats = statement["format"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(formats.contains("json") || formats.contains("application/fhir+json"))
            #expect(!formats.contains { $0.contains("xml") }, "XML is not served, so it must not be claimed")
            #expect(statement.string("rest.0.mode") == "server")

            let served = try Self.servedTypes()
            let resources = statement[path: "rest.0.resource"]?.arrayValue ?? []
            #expect(resources.compactMap { $0["type"]?.stringValue }.sorted() == served.sorted())
            let patient = try #require(resources.first { $0["type"]?.stringValue == "Patient" })
            let codes = Set(patient["interaction"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? [])
            #expect(codes == ["read", "vread", "update", "patch", "delete", "history-instance", "history-type", "create", "search-type"])
            let system = Set(statement[path: "rest.0.interaction"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? [])
            #expect(system == ["transaction", "batch", "history-system"])

            // What is claimed is served: type-level search and history answer for every listed type.
            for type in served {
                #expect(try await hub.get("/fhir/\(type)").status == 200, "search-type on \(type)")
                #expect(try await hub.get("/fhir/\(type)/_history").status == 200, "history-type on \(type)")
            }
            try await hub.get("/fhir/Medication").expectError(404)
        }
    }

    /// The served types, as `profiles/served.json` lists them.
    static func servedTypes() throws -> [String] {
        let data = try Data(contentsOf: TestPaths.profilesDirectory.appendingPathComponent("served.json"))
        let json = try JSONParser().parse(Array(data))
        return json["served"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}

/// Type-level search on `_id` and `identifier`, with paging.
@Suite("Search")
struct SearchTests {
    @Test("search by _id and identifier, with _count paging and next links")
    func search() async throws {
        try await Hub.run { hub in
            var ids: [String] = []
            for number in 1...5 { ids.append(try await hub.create(Sample.patient(identifier: "S\(number)"))) }
            let other = #"{"resourceType":"Patient","identifier":[{"system":"urn:other","value":"S1"}]}"#
            let otherID = try await hub.create(other)

            let byID = try await hub.get("/fhir/Patient?_id=\(ids[2])").json
            #expect(byID["type"]?.stringValue == "searchset")
            #expect(byID.entries.map { $0.string("resource.id") } == [ids[2]])
            #expect(byID.string("entry.0.search.mode") == "match")
            #expect(byID.string("entry.0.fullUrl") == "\(Hub.base)/Patient/\(ids[2])")

            #expect(try await hub.get("/fhir/Patient?identifier=urn:test:mrn|S1").json.entries.map { $0.string("resource.id") } == [ids[0]])
            let anySystem = try await hub.get("/fhir/Patient?identifier=S1").json.entries.compactMap { $0.string("resource.id") }
            #expect(Set(anySystem) == [ids[0], otherID])
            let either = try await hub.get("/fhir/Patient?identifier=urn:test:mrn|S2,urn:test:mrn|S4").json
            #expect(Set(either.entries.compactMap { $0.string("resource.id") }) == [ids[1], ids[3]])
            #expect(try await hub.get("/fhir/Patient?identifier=urn:test:mrn|").json.entries.count == 5)
            #expect(try await hub.get("/fhir/Patient?identifier=nothing").json.entries.isEmpty)

            var url: String? = "/fhir/Patient?identifier=urn:test:mrn|&_count=2"
            var seen: [String] = []
            var pages = 0
            while let next = url, pages < 10 {
                let page = try await hub.get(next).json
                #expect(page.entries.count <= 2)
                seen += page.entries.compactMap { $0.string("resource.id") }
                url = Sample.path(of: page.link("next"))
                pages += 1
            }
            #expect(seen == ids, "pages walk every match once, in a stable order")

            let posted = try await hub.send(
                .post, "/fhir/Patient/_search", body: "identifier=urn:test:mrn%7CS3",
                headers: ["Content-Type": "application/x-www-form-urlencoded"]
            )
            #expect(posted.status == 200)
            #expect(try posted.json.entries.map { $0.string("resource.id") } == [ids[2]])
        }
    }

    @Test("unsupported search parameters are 400, not silently ignored")
    func unsupported() async throws {
        try await Hub.run { hub in
            _ = try await hub.create(Sample.patient())
            // (name, _sort and birthdate are served by the search engine now; SearchEngineTests covers them.)
            for query in ["nickname=Chalmers", "_sort=link", "birthdate=1974-13", "_count=abc", "identifier:below=x"] {
                try await hub.get("/fhir/Patient?\(query)").expectError(400)
            }
            try await hub.put("/fhir/Patient?nickname=Chalmers", Sample.patient()).expectError(400)
            try await hub.delete("/fhir/Patient?nickname=Chalmers").expectError(400)
            try await hub.post("/fhir/Patient", Sample.patient(), headers: ["If-None-Exist": "nickname=Chalmers"]).expectError(400)
            #expect(try await hub.count("resource") == 1)
        }
    }
}
