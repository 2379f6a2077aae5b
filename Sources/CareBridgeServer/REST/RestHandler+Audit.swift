import FHIRCore
import NIOCore

/// The audit trail of REST interactions: one `AuditEvent` per interaction (a batch's entries each through
/// `handle`, a transaction's entries each after it ends), saying who, what, from where and how it ended.
extension RestHandler {
    /// Records `request`, answered with `response`; the CapabilityStatement is not recorded (it holds no data).
    func recordAudit(_ request: FHIRRequest, _ response: FHIRResponse) {
        guard let audit, let record = auditRecord(request, response) else { return }
        audit.record(record)
    }

    /// The record of `request` and its `response`; nil for the CapabilityStatement.
    func auditRecord(_ request: FHIRRequest, _ response: FHIRResponse) -> AuditRecord? {
        let interaction: FHIRInteraction
        do {
            interaction = try FHIRInteraction.resolve(method: request.method, path: request.path)
        } catch {
            return AuditRecord(
                action: .operation("unknown"), grant: access, remoteAddress: remoteAddress,
                entities: [.query(type: nil, query: Self.shown(request))], outcome: Self.outcome(response)
            )
        }
        let written = response.location.flatMap(Self.resource(ofLocation:))
        let query = AuditEntity.query(type: interaction.resourceType, query: request.queryString)
        let (action, entities): (AuditAction, [AuditEntity])
        switch interaction {
        case .capabilities: return nil
        case .batchOrTransaction:
            let kind = request.body.flatMap { try? FHIRResource(parsing: $0.readableBytesView) }?.json["type"]?.stringValue
            (action, entities) = (kind == "transaction" ? .transaction : .batch, [])
        case .read(let type, let id): (action, entities) = (.read, [.resource(type: type, id: id)])
        case .vread(let type, let id, let version): (action, entities) = (.vread, [.resource(type: type, id: id, version: Int(version))])
        case .search, .compartmentSearch: (action, entities) = (.search, [query])
        case .historyInstance(let type, let id): (action, entities) = (.history, [.resource(type: type, id: id)])
        case .historyType, .historySystem: (action, entities) = (.history, [query])
        case .create: (action, entities) = (.create, written.map { [$0] } ?? [query])
        case .update(let type, let id): (action, entities) = (.update, [written ?? .resource(type: type, id: id)])
        case .conditionalUpdate: (action, entities) = (.update, [written ?? query])
        case .patch(let type, let id): (action, entities) = (.patch, [written ?? .resource(type: type, id: id)])
        case .conditionalPatch: (action, entities) = (.patch, [written ?? query])
        case .delete(let type, let id): (action, entities) = (.delete, [.resource(type: type, id: id)])
        case .conditionalDelete: (action, entities) = (.delete, [query])
        case .everything(let type, let id): (action, entities) = (.operation("everything"), [.resource(type: type, id: id)])
        case .validate: (action, entities) = (.operation("validate"), [query])
        case .subscriptionOperation(let id, let name):
            (action, entities) = (.operation(String(name.dropFirst())), [.resource(type: "Subscription", id: id)])
        }
        return AuditRecord(
            action: action, grant: access, remoteAddress: remoteAddress, entities: entities,
            outcome: Self.outcome(response), detail: "\(request.method) \(Self.shown(request)): HTTP \(response.status)"
        )
    }

    /// The outcome a response tells: 403 is a denial, 401 a failed authentication, any other 4xx/5xx an error.
    static func outcome(_ response: FHIRResponse) -> AuditOutcome {
        guard response.status >= 400 else { return .success }
        let reason: String
        if case .outcome(let outcome) = response.body, let first = outcome.issues.first {
            reason = first.diagnostics
        } else {
            reason = "HTTP \(response.status)"
        }
        switch response.status {
        case 401: return .failedAuthentication(reason)
        case 403: return .denied(reason)
        default: return .error(reason)
        }
    }

    /// `Type/id/_history/n` as a resource entity.
    static func resource(ofLocation location: String) -> AuditEntity? {
        let parts = location.split(separator: "/").map(String.init)
        guard parts.count >= 2 else { return nil }
        let version = parts.count >= 4 && parts[2] == "_history" ? Int(parts[3]) : nil
        return .resource(type: parts[0], id: parts[1], version: version)
    }

    /// The request as the audit shows it: method, path and query.
    private static func shown(_ request: FHIRRequest) -> String {
        let path = request.path.joined(separator: "/")
        return request.queryString.isEmpty ? path : "\(path)?\(request.queryString)"
    }
}
