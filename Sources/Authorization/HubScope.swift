/// The hub's own scopes, beside the SMART clinical ones, for what is not a FHIR interaction.
public enum HubScope {
    /// Configuration and operations: the inbound message log and replay, mapping reloads, webhook
    /// deliveries, resends, pauses and secrets.
    public static let admin = "carebridge/admin"
    /// Sending HL7v2 and XML messages over HTTP (`$ingest`) and converting them (`$convert`).
    public static let ingest = "carebridge/ingest"
}
