import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Store

/// `POST /payments/webhook/{gateway}`: signed payment notifications from the configured gateways.
///
/// Checks, in order: the gateway is configured (404), the body fits the limit (413), the signature headers
/// are present (401), the timestamp is readable and within tolerance (400), a signature matches (401), the
/// body is a well-formed event (400); then applies it (see `PaymentPosting`). Answers are JSON: a summary
/// on success, an `OperationOutcome` on failure.
struct PaymentRoutes: Sendable {
    let gateways: PaymentGateways
    let posting: PaymentPosting
    /// The largest notification accepted; gateways send a few kilobytes.
    let maximumBodySize: Int

    static let defaultMaximumBodySize = 256 * 1024

    func add(to router: Router<HubRequestContext>) {
        router.post("payments/webhook/:gateway") { request, context in
            do {
                return try await receive(request, gateway: context.parameters.get("gateway") ?? "")
            } catch {
                let fhirError = RestHandler.fhirError(error, logger: posting.logger)
                return FHIRRoutes.response(fhirError)
            }
        }
    }

    private func receive(_ request: Request, gateway name: String) async throws -> Response {
        guard let gateway = gateways[name] else {
            throw FHIRError(404, code: "not-found", "No payment gateway '\(name)' is configured")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBodySize)
        } catch {
            throw FHIRError(413, code: "too-costly", "A payment notification is limited to \(maximumBodySize) bytes")
        }
        let body = Array(buffer.readableBytesView)
        do {
            try gateway.verify(headers: request.headers, body: body)
        } catch {
            posting.logger.warning(
                "payment notification refused", metadata: ["gateway": "\(name)", "status": "\(error.status)"])
            throw error
        }
        let event = try PaymentEvent(body: body, scheme: gateway.scheme)
        let result = try await posting.apply(event, gateway: name)
        return Self.summary(event, result)
    }

    /// `{"event":..., "outcome":..., "invoice":..., "amount":..., "paid":..., "total":..., "currency":...,
    /// "paymentReconciliation":..., "paymentNotice":...}`; only `event` and `outcome` for ignored events.
    private static func summary(_ event: PaymentEvent, _ result: PaymentPosting.Result) -> Response {
        var members: [(String, JSONValue)] = [("event", .string(event.id)), ("outcome", .string(result.outcome.rawValue))]
        if let records = result.records {
            members += [
                ("invoice", .string(records.invoiceReference)),
                ("amount", .string(records.payment.amount.description)),
                ("paid", .string(records.paidSoFar.description)),
                ("total", .string(records.invoice.total.description)),
                ("currency", .string(records.payment.currency)),
            ]
        }
        if let reconciliation = result.reconciliation { members.append(("paymentReconciliation", .string(reconciliation))) }
        if let notice = result.notice { members.append(("paymentNotice", .string(notice))) }
        var headers = HTTPFields()
        headers[.contentType] = ContentNegotiation.plainJSON
        return Response(
            status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(.object(JSONObject(members))))))
    }
}
