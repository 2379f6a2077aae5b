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

    /// The security of the hub `configuration` describes: nil for an insecure development server (see
    /// `HubConfiguration.authorizationFile()`).
    static func load(_ configuration: HubConfiguration, logger: Logger) throws -> HubSecurity? {
        switch try configuration.authorizationFile() {
        case nil:
            return nil
        case let file?:
            let defaultAudience = configuration.fhirBaseURL
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
