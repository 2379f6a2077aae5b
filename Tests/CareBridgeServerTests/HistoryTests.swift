import FHIRCore
import Foundation
import Testing

/// history at instance, type and system level, with `_since`, `_count` and paging links.
@Suite("History")
struct HistoryTests {
    static let observation = #"{"resourceType":"Observation","status":"final","code":{"text":"Body weight"}}"#

    @Test("instance, type and system history list every version, newest first")
    func levels() async throws {
        try await Hub.run { hub in
            let a = try await hub.create(Sample.patient(family: "A"))
            try await hub.put("/fhir/Patient/\(a)", Sample.patient(id: a, family: "A2"))
            let b = try await hub.create(Sample.patient(family: "B"))
            let o = try await hub.create(Self.observation)

            let instance = try await hub.get("/fhir/Patient/\(a)/_history")
            #expect(instance.status == 200)
            let bundle = try instance.json
            #expect(bundle["resourceType"]?.stringValue == "Bundle")
            #expect(bundle["type"]?.stringValue == "history")
            #expect(bundle.entries.map { $0.string("response.etag") } == [#"W/"2""#, #"W/"1""#])
            #expect(bundle.entries.map { $0.string("request.method") } == ["PUT", "POST"])
            #expect(bundle.string("entry.0.fullUrl") == "\(Hub.base)/Patient/\(a)")
            #expect(bundle.string("entry.0.resource.name.0.family") == "A2")
            #expect(bundle.string("entry.1.resource.name.0.family") == "A")
            #expect(bundle.link("self") == "\(Hub.base)/Patient/\(a)/_history")

            let type = try await hub.get("/fhir/Patient/_history").json
            #expect(type.entries.map { $0.string("resource.id") } == [b, a, a])

            let system = try await hub.get("/fhir/_history").json
            #expect(system.entries.map { $0.string("resource.id") } == [o, b, a, a])
            #expect(system.string("entry.0.resource.resourceType") == "Observation")

            try await hub.get("/fhir/Patient/unknown/_history").expectError(404)
        }
    }

    @Test("_since keeps only versions written at or after the instant")
    func since() async throws {
        try await Hub.run { hub in
            let a = try await hub.create(Sample.patient(family: "Before"))
            try await Task.sleep(for: .milliseconds(30))
            let cut = FHIRInstant.string(from: Date())
            try await Task.sleep(for: .milliseconds(30))
            try await hub.put("/fhir/Patient/\(a)", Sample.patient(id: a, family: "After"))
            let b = try await hub.create(Sample.patient(family: "AfterToo"))

            let instance = try await hub.get("/fhir/Patient/\(a)/_history?_since=\(cut)").json
            #expect(instance.entries.map { $0.string("response.etag") } == [#"W/"2""#])
            let type = try await hub.get("/fhir/Patient/_history?_since=\(cut)").json
            #expect(type.entries.map { $0.string("resource.id") } == [b, a])
            let system = try await hub.get("/fhir/_history?_since=\(cut)").json
            #expect(system.entries.count == 2)
            let future = FHIRInstant.string(from: Date().addingTimeInterval(3600))
            #expect(try await hub.get("/fhir/_history?_since=\(future)").json.entries.isEmpty)

            // `_since` is an instant: a date alone or garbage is refused.
            try await hub.get("/fhir/_history?_since=2020-01-01").expectError(400)
            try await hub.get("/fhir/_history?_since=yesterday").expectError(400)
        }
    }

    @Test("_count pages the history, and the next links walk every version exactly once")
    func paging() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient(family: "V1"))
            for version in 2...5 {
                try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: id, family: "V\(version)"))
            }
            var url: String? = "/fhir/Patient/\(id)/_history?_count=2"
            var seen: [String] = []
            var pages = 0
            while let next = url, pages < 10 {
                let page = try await hub.get(next)
                #expect(page.status == 200)
                let json = try page.json
                #expect(json.entries.count <= 2)
                seen += json.entries.compactMap { $0.string("resource.name.0.family") }
                url = Sample.path(of: json.link("next"))
                pages += 1
            }
            #expect(seen == ["V5", "V4", "V3", "V2", "V1"])

            let typePage = try await hub.get("/fhir/Patient/_history?_count=1").json
            #expect(typePage.entries.count == 1)
            #expect(typePage.link("next") != nil)
            let systemPage = try await hub.get("/fhir/_history?_count=3").json
            #expect(systemPage.entries.count == 3)
            let second = try await hub.get(try #require(Sample.path(of: systemPage.link("next")))).json
            #expect(second.entries.map { $0.string("response.etag") } == [#"W/"2""#, #"W/"1""#])

            try await hub.get("/fhir/_history?_count=-1").expectError(400)
            try await hub.get("/fhir/_history?_elements=id").expectError(400)
        }
    }
}
