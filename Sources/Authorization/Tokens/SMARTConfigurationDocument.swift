/// `/.well-known/smart-configuration` (https://hl7.org/fhir/smart-app-launch/conformance.html): how to get
/// a token from this hub. Only SMART Backend Services is offered, so there is no authorization endpoint.
public enum SMARTConfigurationDocument {
    /// The algorithms client assertions may be signed with.
    public static let assertionAlgorithms = ["RS384", "ES384", "RS256", "ES256"]

    /// The JSON text of the document for `configuration`.
    public static func json(for configuration: SecurityConfiguration) throws -> String {
        let texts = { (values: [String]) in ClaimValue.array(values.map(ClaimValue.string)) }
        let document: [String: ClaimValue] = [
            "token_endpoint": .string(configuration.tokenEndpoint),
            "jwks_uri": .string(configuration.jwksURI),
            "grant_types_supported": texts(["client_credentials"]),
            "token_endpoint_auth_methods_supported": texts(["private_key_jwt"]),
            "token_endpoint_auth_signing_alg_values_supported": texts(assertionAlgorithms),
            "scopes_supported": texts(configuration.supportedScopes),
            "capabilities": texts([
                "client-confidential-asymmetric", "permission-v1", "permission-v2", "permission-patient", "permission-user",
            ]),
        ]
        return try ClaimValue.object(document).jsonText
    }
}
