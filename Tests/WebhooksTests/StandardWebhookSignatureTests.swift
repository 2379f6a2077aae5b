import Foundation
import Testing
import Webhooks

/// The test vector published with the Standard Webhooks reference libraries.
private enum SpecVector {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp = Date(timeIntervalSince1970: 1_614_265_330)
    static let body = Array(#"{"test": 2432232314}"#.utf8)
    static let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
}

@Suite struct StandardWebhookSignatureTests {
    let secret: WebhookSecret

    init() throws {
        secret = try WebhookSecret(encoded: SpecVector.secret)
    }

    private func code(_ body: () throws -> Void) -> WebhookError.Code? {
        do {
            try body()
            return nil
        } catch let error as WebhookError {
            return error.code
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func signsTheSpecTestVector() {
        let signature = StandardWebhookSignature.sign(
            id: SpecVector.id, timestamp: SpecVector.timestamp, body: SpecVector.body, secret: secret)
        #expect(signature == SpecVector.signature)
        #expect(StandardWebhookSignature.timestamp(SpecVector.timestamp) == "1614265330")
    }

    @Test func verifiesTheSpecTestVector() throws {
        try StandardWebhookSignature.verify(
            id: SpecVector.id, timestamp: "1614265330", body: SpecVector.body, signatureHeader: SpecVector.signature,
            secrets: [secret], now: SpecVector.timestamp.addingTimeInterval(60))
    }

    @Test func anyListedSignaturePasses() throws {
        let header = [
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
            "v1a,bm90IGEgc2lnbmF0dXJl", "v1,not-base64", SpecVector.signature,
        ].joined(separator: " ")
        try StandardWebhookSignature.verify(
            id: SpecVector.id, timestamp: "1614265330", body: SpecVector.body, signatureHeader: header,
            secrets: [secret], now: SpecVector.timestamp)
    }

    @Test func refusesAChangedBodyIdOrSignature() {
        let now = SpecVector.timestamp
        let changedBody = code {
            try StandardWebhookSignature.verify(
                id: SpecVector.id, timestamp: "1614265330", body: Array(#"{"test": 2432232315}"#.utf8),
                signatureHeader: SpecVector.signature, secrets: [secret], now: now)
        }
        let changedID = code {
            try StandardWebhookSignature.verify(
                id: "msg_other", timestamp: "1614265330", body: SpecVector.body,
                signatureHeader: SpecVector.signature, secrets: [secret], now: now)
        }
        let changedSignature = code {
            try StandardWebhookSignature.verify(
                id: SpecVector.id, timestamp: "1614265330", body: SpecVector.body,
                signatureHeader: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", secrets: [secret], now: now)
        }
        let wrongSecret = code {
            try StandardWebhookSignature.verify(
                id: SpecVector.id, timestamp: "1614265330", body: SpecVector.body,
                signatureHeader: SpecVector.signature, secrets: [WebhookSecret.generate()], now: now)
        }
        let codes = [changedBody, changedID, changedSignature, wrongSecret]
        #expect(codes == Array(repeating: .invalidSignature, count: 4))
    }

    @Test func refusesMissingHeaders() {
        let verify = { (id: String?, timestamp: String?, signature: String?) -> WebhookError.Code? in
            self.code {
                try StandardWebhookSignature.verify(
                    id: id, timestamp: timestamp, body: SpecVector.body, signatureHeader: signature,
                    secrets: [self.secret], now: SpecVector.timestamp)
            }
        }
        #expect(verify(nil, "1614265330", SpecVector.signature) == .missingSignature)
        #expect(verify(SpecVector.id, nil, SpecVector.signature) == .missingSignature)
        #expect(verify(SpecVector.id, "1614265330", nil) == .missingSignature)
        #expect(verify(SpecVector.id, "1614265330", "") == .missingSignature)
        #expect(verify(SpecVector.id, "hello", SpecVector.signature) == .invalidTimestamp)
    }

    @Test func refusesTimestampsOutsideTheTolerance() {
        let verify = { (now: Date, tolerance: Duration) -> WebhookError.Code? in
            self.code {
                try StandardWebhookSignature.verify(
                    id: SpecVector.id, timestamp: "1614265330", body: SpecVector.body,
                    signatureHeader: SpecVector.signature, secrets: [self.secret], now: now, tolerance: tolerance)
            }
        }
        let fiveMinutes = StandardWebhookSignature.defaultTolerance
        #expect(verify(SpecVector.timestamp.addingTimeInterval(300), fiveMinutes) == nil)
        #expect(verify(SpecVector.timestamp.addingTimeInterval(301), fiveMinutes) == .staleTimestamp)
        #expect(verify(SpecVector.timestamp.addingTimeInterval(-300), fiveMinutes) == nil)
        #expect(verify(SpecVector.timestamp.addingTimeInterval(-301), fiveMinutes) == .staleTimestamp)
        #expect(verify(SpecVector.timestamp.addingTimeInterval(301), .seconds(600)) == nil)
    }

    @Test func rotationSignsWithEverySecretAndEitherVerifies() throws {
        let current = WebhookSecret.generate()
        let previous = WebhookSecret.generate()
        let now = Date()
        let body = Array(#"{"resourceType":"Bundle"}"#.utf8)
        let header = StandardWebhookSignature.header(
            id: "evt_1", timestamp: now, body: body, secrets: [current, previous])
        let signatures = header.split(separator: " ").map(String.init)
        #expect(signatures.count == 2)
        let sign = { (secret: WebhookSecret) in
            StandardWebhookSignature.sign(id: "evt_1", timestamp: now, body: body, secret: secret)
        }
        #expect(signatures == [sign(current), sign(previous)])
        let timestamp = StandardWebhookSignature.timestamp(now)
        for secrets in [[current], [previous], [WebhookSecret.generate(), previous]] {
            try StandardWebhookSignature.verify(
                id: "evt_1", timestamp: timestamp, body: body, signatureHeader: header, secrets: secrets, now: now)
        }
    }

    @Test func headersCarryIdTimestampSignatureAndContentType() {
        let headers = StandardWebhookHeaders.make(
            id: SpecVector.id, timestamp: SpecVector.timestamp, body: SpecVector.body, secrets: [secret],
            contentType: "application/fhir+json")
        #expect(headers.map(\.0) == ["webhook-id", "webhook-timestamp", "webhook-signature", "content-type"])
        #expect(headers.map(\.1) == [SpecVector.id, "1614265330", SpecVector.signature, "application/fhir+json"])
    }
}
