import Foundation
import Testing
import Webhooks

@Suite struct WebhookSecretTests {
    @Test func readsPrefixedAndBareBase64() throws {
        let prefixed = try WebhookSecret(encoded: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let bare = try WebhookSecret(encoded: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(prefixed == bare)
        #expect(prefixed.key.count == 24)
        #expect(prefixed.encoded == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    }

    @Test func readsUnpaddedBase64() throws {
        let secret = WebhookSecret(key: Array("a key of 25 bytes, padded".utf8))
        let unpadded = secret.encoded.replacingOccurrences(of: "=", with: "")
        #expect(unpadded != secret.encoded)
        #expect(try WebhookSecret(encoded: unpadded) == secret)
    }

    @Test(arguments: ["", "whsec_", "whsec_not base64!", "%%%%"])
    func refusesWhatIsNotBase64(_ text: String) {
        #expect(throws: WebhookError.self) { try WebhookSecret(encoded: text) }
        do {
            _ = try WebhookSecret(encoded: text)
        } catch {
            #expect(error.code == .invalidSecret)
        }
    }

    @Test func generatedSecretsAreLongRandomAndRoundTrip() throws {
        let first = WebhookSecret.generate()
        let second = WebhookSecret.generate()
        #expect(first.key.count == 32)
        #expect(first != second)
        #expect(first.encoded.hasPrefix("whsec_"))
        #expect(try WebhookSecret(encoded: first.encoded) == first)
    }
}
