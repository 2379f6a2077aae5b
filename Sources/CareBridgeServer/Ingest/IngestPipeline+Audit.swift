import Authorization
import Store

extension IngestPipeline {
    /// Writes the audit records queued so far (the CLI, which runs no audit service, calls it when done).
    public func flushAudit() async {
        await audit?.flush()
    }

    /// Records what became of one inbound message in the audit trail: who sent it and from where, the message
    /// (log id, sender, control id, type), the resources it produced, and its status.
    func audit(
        _ outcome: IngestOutcome, header: InboundHeader, source: InboundSource, grant: AccessGrant, remoteAddress: String?
    ) {
        guard let audit else { return }
        let sender = [header.sendingApplication, header.sendingFacility].filter { !$0.isEmpty }.joined(separator: "^")
        let message = AuditEntity.inboundMessage(
            logID: outcome.logID, sender: sender, controlID: header.controlID, messageType: header.messageType
        )
        let result: AuditOutcome = switch outcome.status {
        case .error: .error(outcome.error ?? "the message was not applied")
        default: .success
        }
        audit.record(AuditRecord(
            action: .ingest, grant: grant, remoteAddress: remoteAddress,
            entities: [message] + outcome.resources.compactMap(Self.resourceEntity), outcome: result,
            detail: "\(source.rawValue): \(outcome.status.rawValue)"
        ))
    }

    /// `Type/id` (possibly after a base, possibly with `/_history/n`) as an audit entity.
    static func resourceEntity(_ reference: String) -> AuditEntity? {
        var parts = reference.split(separator: "/").map(String.init)
        var version: Int?
        if parts.count >= 4, parts[parts.count - 2] == "_history" {
            version = Int(parts[parts.count - 1])
            parts.removeLast(2)
        }
        guard parts.count >= 2 else { return nil }
        return .resource(type: parts[parts.count - 2], id: parts[parts.count - 1], version: version)
    }
}
