import FHIRCore
import Foundation
import Testing

/// Several date clauses on one parameter: on a single-valued element they must match its one value; on a
/// repeating element each clause may match a different value (https://hl7.org/fhir/R4/search.html#combining).
@Suite("Search: repeated date parameters")
struct SearchDateTests {
    @Test("Encounter.period (one value) versus Encounter.location.period (one per location)")
    func singleAndRepeating() async throws {
        try await Hub.run { hub in
            let locations = #"[{"location":{"display":"A"},"period":{"start":"2020-01-01","end":"2020-01-05"}},{"location":{"display":"B"},"period":{"start":"2022-06-01","end":"2022-06-03"}}]"#
            try await hub.store("/fhir/Encounter/en1", #"{"resourceType":"Encounter","id":"en1","status":"finished","class":{"code":"AMB"},"period":{"start":"2022-06-01","end":"2022-06-03"},"location":\#(locations)}"#)
            try await hub.store("/fhir/Encounter/en2", #"{"resourceType":"Encounter","id":"en2","status":"finished","class":{"code":"AMB"},"period":{"start":"2021-03-01","end":"2021-03-02"}}"#)
            try await hub.expect("Encounter?location-period=ge2022-01-01&location-period=lt2021-01-01", ["en1"], "two locations, one clause each")
            try await hub.expect("Encounter?date=ge2022-01-01&date=lt2021-01-01", [], "one period cannot meet both")
            try await hub.expect("Encounter?date=ge2021-01-01&date=lt2021-12-31", ["en2"])
            try await hub.expect("Encounter?date=ge2021-03-01&date=le2021-03-02", ["en2"])
            try await hub.expect("Encounter?date=eq2021-03", ["en2"])
            try await hub.expect("Encounter?date=ge2022-06-02", ["en1"], "it reaches into the days after the 2nd")
            try await hub.expect("Encounter?date=ge2022-06-03", [], "it ends with the 3rd")
        }
    }

    @Test("_lastUpdated with every prefix compares the instant itself")
    func lastUpdated() async throws {
        try await Hub.run { hub in
            try await hub.store("/fhir/Patient/lu1", #"{"resourceType":"Patient","id":"lu1"}"#)
            let stamp = try #require(try await hub.get("/fhir/Patient/lu1").json["meta"]?["lastUpdated"]?.stringValue)
            let encoded = stamp.replacingOccurrences(of: "+", with: "%2B")
            try await hub.expect("Patient?_lastUpdated=eq\(encoded)", ["lu1"])
            try await hub.expect("Patient?_lastUpdated=ge\(encoded)", ["lu1"])
            try await hub.expect("Patient?_lastUpdated=le\(encoded)", ["lu1"])
            try await hub.expect("Patient?_lastUpdated=gt\(encoded)", [])
            try await hub.expect("Patient?_lastUpdated=lt\(encoded)", [])
            try await hub.expect("Patient?_lastUpdated=ne\(encoded)", [])
            try await hub.expect("Patient?_lastUpdated=sa2000&_lastUpdated=eb2999", ["lu1"])
        }
    }
}
