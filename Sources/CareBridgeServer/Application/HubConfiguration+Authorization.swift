extension HubConfiguration {
    /// The FHIR base URL the hub announces: the public one, or the address it binds.
    public var fhirBaseURL: String {
        publicBaseURL ?? "http://\(httpHost):\(httpPort)/fhir"
    }

    /// The security configuration file requests are authorized by, or nil for an insecure development
    /// server. Exactly one of `securityConfigurationFile` and `insecureDevelopment` must be set, so a server
    /// is never left open by accident nor half-secured; otherwise this throws.
    public func authorizationFile() throws -> String? {
        switch (securityConfigurationFile, insecureDevelopment) {
        case (nil, false):
            throw HubStartError(
                "Authorization is not configured: give --auth-config FILE (or CAREBRIDGE_AUTH_CONFIG), or --insecure-dev "
                    + "(CAREBRIDGE_INSECURE_DEV=1) to serve without authorization on a development machine"
            )
        case (_?, true):
            throw HubStartError("--insecure-dev and --auth-config exclude each other: insecure development mode must be chosen alone")
        case (let file, _):
            return file
        }
    }
}
