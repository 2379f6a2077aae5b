import Testing
import Webhooks

@Suite struct WebhookErrorTests {
    @Test func descriptionNamesTheCodeAndTheMessage() {
        let error = WebhookError(.invalidEndpoint, "the endpoint must use http or https")
        #expect(error.code == .invalidEndpoint)
        #expect(error.description == "invalidEndpoint: the endpoint must use http or https")
    }
}
