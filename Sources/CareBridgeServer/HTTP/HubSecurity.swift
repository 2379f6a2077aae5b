import Authorization
import Foundation
import Logging

/// The hub's authorization, built from the security configuration file: the token verifier behind the
/// authentication middleware and the token endpoint.
struct HubSecurity: Sendable {
    let configuration: SecurityConfiguration
    let hubKey: HubSigningKey
    let verifier: TokenVerifier
    let issuer: TokenIssuer

    /// The security of the hub `configuration` describes: nil for an insecure development server. Exactly
    /// one of `securityConfigurationFile` and `insecureDevelopment` must be set, so a server is never left
    /// open by accident nor half-secured.
    static func load(_ configuration: HubConfiguration, logger: Logger) throws -> HubSecurity? {
        switch (configuration.securityConfigurationFile, configuration.insecureDevelopment) {
        case (nil, false):
            throw HubStartError(
                "Authorization is not configured: give --auth-config FILE (or CAREBRIDGE_AUTH_CONFIG), or --insecure-dev "
                    + "(CAREBRIDGE_INSECURE_DEV=1) to serve without authorization on a development machine"
            )
        case (_?, true):
            throw HubStartError("--insecure-dev and --auth-config exclude each other: insecure development mode must be chosen alone")
        case (nil, true):
            return nil
        case (let file?, false):
            let defaultAudience = configuration.publicBaseURL ?? "http://\(configuration.httpHost):\(configuration.httpPort)/fhir"
            let security: SecurityConfiguration
            do {
                security = try SecurityConfiguration.load(contentsOf: file, defaultAudience: defaultAudience)
            } catch let error as AuthorizationError {
                throw HubStartError("Security configuration: \(error.message)")
            }
            let hubKey: HubSigningKey
            if let keyFile = security.signingKeyFile {
                let (key, created) = try HubSigningKey.load(file: keyFile)
                if created { logger.notice("Created the hub's token signing key", metadata: ["file": "\(keyFile)", "kid": "\(key.keyID)"]) }
                hubKey = key
            } else {
                hubKey = try HubSigningKey.generate()
                logger.warning("No signing_key_file in the security configuration: access tokens issued now stop working when the hub restarts")
            }
            logger.notice("Authorization on", metadata: [
                "audience": "\(security.audience)", "token_endpoint": "\(security.tokenEndpoint)",
                "clients": "\(security.clients.count)", "issuers": "\(security.issuers.count)",
            ])
            return HubSecurity(
                configuration: security, hubKey: hubKey, verifier: TokenVerifier(configuration: security, hubKey: hubKey),
                issuer: TokenIssuer(configuration: security, hubKey: hubKey)
            )
        }
    }
}
