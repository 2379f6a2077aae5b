import Authorization
import Webhooks

extension AuditRecord {
    /// The audit record of one webhook delivery attempt: the hub sent a notification of a Subscription to its
    /// endpoint (the destination); success when the endpoint answered 2xx.
    public init(webhookAttempt report: WebhookAttemptReport) {
        let result = report.result
        let answer = result.statusCode.map { "HTTP \($0)" } ?? "no response"
        let latency = Int((Double(result.latency.components.seconds) + Double(result.latency.components.attoseconds) / 1e18) * 1000)
        self.init(
            action: .webhookDelivery, grant: .hub,
            entities: [.notification(subscriptionID: report.subscriptionID, eventNumber: report.eventNumber, kind: report.kind)],
            outcome: result.isDelivered ? .success : .error(result.summary),
            detail: "\(report.kind) to \(report.endpointHost): \(answer) in \(latency) ms",
            destination: report.endpointHost.isEmpty ? nil : report.endpointHost
        )
    }
}
