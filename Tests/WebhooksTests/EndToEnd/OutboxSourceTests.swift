import FHIRCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import Webhooks

/// Events come from every source of changes, and only from committed ones.
@Suite("Outbox sources", .serialized)
struct OutboxSourceTests {
    @Test("An ORU^R01 ingested over HTTP fires lab-result-final for its final DiagnosticReport only")
    func ingestedResultFiresTopic() async throws {
        let message = try String(contentsOf: WebhookHub.repositoryRoot.appendingPathComponent("samples/hl7v2/oru_r01.hl7"), encoding: .utf8)
        try await LoopbackReceiver.withReceiver { receiver in
            try await WebhookHub.run { hub in
                _ = try await hub.subscribe(SubscriptionJSON.topic("lab-result-final", endpoint: receiver.url()))
                let (status, _) = try await hub.send(.post, "/fhir/$ingest", message, contentType: "application/hl7-v2")
                #expect(status == 200)
                let events = try SubscriptionDeliveryTests.events(await receiver.waitForRequests(2, timeout: .seconds(60)))
                try #require(events.count == 1)
                let report = try #require(events[0].bundle["entry"]?.arrayValue?[1]["resource"])
                #expect(report["resourceType"]?.stringValue == "DiagnosticReport")
                #expect(report["status"]?.stringValue == "final")
                try await Task.sleep(for: .milliseconds(300))
                #expect(try SubscriptionDeliveryTests.events(await receiver.requests).count == 1)
            }
        }
    }

    @Test("A vendor XML lab document posted over HTTP fires lab-result-final for its final report")
    func xmlResultFiresTopic() async throws {
        let document = try String(contentsOf: WebhookHub.repositoryRoot.appendingPathComponent("samples/xml/northwind_cbc.xml"), encoding: .utf8)
        try await LoopbackReceiver.withReceiver { receiver in
            try await WebhookHub.run { hub in
                _ = try await hub.subscribe(SubscriptionJSON.topic("lab-result-final", endpoint: receiver.url()))
                let (status, outcome) = try await hub.send(.post, "/fhir/$ingest", document, contentType: "application/xml")
                #expect(status == 200)
                #expect(outcome?["status"]?.stringValue == "processed")
                let events = try SubscriptionDeliveryTests.events(await receiver.waitForRequests(2, timeout: .seconds(60)))
                try #require(events.count == 1)
                let report = try #require(events[0].bundle["entry"]?.arrayValue?[1]["resource"])
                #expect(report["resourceType"]?.stringValue == "DiagnosticReport")
                #expect(report["status"]?.stringValue == "final")
            }
        }
    }

    @Test("A DFT^P03 ingested over HTTP fires invoice-issued with what a payment gateway needs to collect")
    func ingestedChargesFireInvoiceIssued() async throws {
        let message = try String(contentsOf: WebhookHub.repositoryRoot.appendingPathComponent("samples/hl7v2/dft_p03.hl7"), encoding: .utf8)
        try await LoopbackReceiver.withReceiver { receiver in
            try await WebhookHub.run { hub in
                _ = try await hub.subscribe(SubscriptionJSON.topic("invoice-issued", endpoint: receiver.url()))
                let (status, _) = try await hub.send(.post, "/fhir/$ingest", message, contentType: "application/hl7-v2")
                #expect(status == 200)
                let events = try SubscriptionDeliveryTests.events(await receiver.waitForRequests(2, timeout: .seconds(60)))
                try #require(events.count == 1)
                let invoice = try #require(events[0].bundle["entry"]?.arrayValue?[1]["resource"])
                #expect(invoice["resourceType"]?.stringValue == "Invoice")
                #expect(invoice["status"]?.stringValue == "issued")
                #expect(invoice["totalGross"]?["value"] != nil)
                #expect(invoice["totalGross"]?["currency"]?.stringValue != nil)
                #expect(invoice["subject"]?["reference"]?.stringValue?.hasPrefix("Patient/") == true)
                #expect(invoice["id"]?.stringValue?.isEmpty == false)
            }
        }
    }

    @Test("A signed payment notification that pays an Invoice in full fires invoice-balanced")
    func paymentFiresInvoiceBalanced() async throws {
        let secret = WebhookSecret.generate()
        let gateways = #"{"gateways": [{"name": "acme-pay", "scheme": "standard-webhooks", "secrets": ["\#(secret.encoded)"]}]}"#
        try await LoopbackReceiver.withReceiver { receiver in
            try await WebhookHub.run(paymentGateways: gateways) { hub in
                _ = try await hub.subscribe(SubscriptionJSON.topic("invoice-balanced", endpoint: receiver.url()))
                let invoice = try await hub.create(
                    "Invoice",
                    #"{"resourceType": "Invoice", "status": "issued", "subject": {"reference": "Patient/p1"}, "totalGross": {"value": 120.00, "currency": "EUR"}}"#
                )
                let body = #"{"id": "evt_1", "type": "payment.succeeded", "invoice": "Invoice/\#(invoice)", "amount": {"value": "120.00", "currency": "EUR"}}"#
                var fields = HTTPFields()
                for (name, value) in StandardWebhookHeaders.make(
                    id: "evt_1", timestamp: Date(), body: Array(body.utf8), secrets: [secret], contentType: "application/json"
                ) {
                    if let field = HTTPField.Name(name) { fields[field] = value }
                }
                let response = try await hub.client.executeRequest(
                    uri: "/payments/webhook/acme-pay", method: .post, headers: fields, body: ByteBuffer(string: body)
                )
                #expect(response.status.code == 200)
                let events = try SubscriptionDeliveryTests.events(await receiver.waitForRequests(2, timeout: .seconds(60)))
                try #require(events.count == 1)
                let paid = try #require(events[0].bundle["entry"]?.arrayValue?[1]["resource"])
                #expect(paid["id"]?.stringValue == invoice)
                #expect(paid["status"]?.stringValue == "balanced")
            }
        }
    }

    @Test("A transaction that fails writes no event; the same changes committed write one per change")
    func rolledBackTransactionHasNoEvents() async throws {
        try await LoopbackReceiver.withReceiver { receiver in
            try await WebhookHub.run { hub in
                let (id, _) = try await hub.subscribe(SubscriptionJSON.criteria("Patient", endpoint: receiver.url()))
                let patient = #"{"fullUrl": "urn:uuid:7f1c6a0e-0000-4000-8000-000000000001", "resource": {"resourceType": "Patient"}, "request": {"method": "POST", "url": "Patient"}}"#
                let broken = #"{"resource": {"resourceType": "Observation", "status": "final"}, "request": {"method": "POST", "url": "Observation"}}"#
                let failing = #"{"resourceType": "Bundle", "type": "transaction", "entry": [\#(patient), \#(broken)]}"#
                #expect(try await hub.send(.post, "/fhir", failing).status >= 400)
                try await Task.sleep(for: .milliseconds(300))
                let (_, none) = try await hub.send(.get, "/webhooks/subscriptions/\(id)/deliveries")
                #expect(none?["deliveries"]?.arrayValue?.isEmpty == true)
                let second = patient.replacingOccurrences(of: "001\"", with: "002\"")
                let committed = #"{"resourceType": "Bundle", "type": "transaction", "entry": [\#(patient), \#(second)]}"#
                #expect(try await hub.send(.post, "/fhir", committed).status == 200)
                let requests = await receiver.waitForRequests(3, timeout: .seconds(60))
                #expect(requests.count == 3)
                let (_, two) = try await hub.send(.get, "/webhooks/subscriptions/\(id)/deliveries")
                #expect(two?["deliveries"]?.arrayValue?.map { $0["eventNumber"]?.numberText } == ["2", "1"])
            }
        }
    }

    @Test("A paused subscription keeps its events and gets them, in order, when resumed")
    func pauseAndResume() async throws {
        try await LoopbackReceiver.withReceiver { receiver in
            try await WebhookHub.run { hub in
                let (id, _) = try await hub.subscribe(SubscriptionJSON.criteria("Patient", endpoint: receiver.url(), payload: true))
                #expect(try await hub.send(.post, "/webhooks/subscriptions/\(id)/$pause").json?["paused"]?.boolValue == true)
                var ids: [String] = []
                for _ in 0..<3 { ids.append(try await hub.create("Patient", #"{"resourceType": "Patient"}"#)) }
                try await Task.sleep(for: .milliseconds(400))
                #expect(await receiver.requests.count == 1)
                #expect(try await hub.send(.post, "/webhooks/subscriptions/\(id)/$resume").status == 200)
                let requests = await receiver.waitForRequests(4, timeout: .seconds(60))
                #expect(requests.dropFirst().map { $0.path.split(separator: "/").last.map(String.init) ?? "" } == ids)
            }
        }
    }
}
