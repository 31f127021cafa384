import Foundation

/// An UPBOND Login client: discovery and key cache, the sign-in flows, userinfo, revocation
/// and logout. Create one per issuer and client ID and share it; it is thread-safe.
///
/// Every call is `async throws` and throws ``UpbondLoginError``. Empty `scopes` mean the
/// configured ones.
public final class UpbondClient: Sendable {
    /// The generated client this one forwards to (for calls not wrapped here).
    public let raw: Client

    /// A client for `config` (validated; no network yet).
    public init(config: ClientConfig) throws {
        raw = try translatingErrors { try Client(config: config) }
    }

    /// A public (native app) client, or a confidential one when `clientSecret` is given.
    public convenience init(
        issuer: String,
        clientId: String,
        clientSecret: String? = nil,
        redirectUri: String? = nil,
        postLogoutRedirectUri: String? = nil,
        scopes: [String]? = nil
    ) throws {
        try self.init(config: ClientConfig(
            issuer: issuer, clientId: clientId, clientSecret: clientSecret,
            redirectUri: redirectUri, postLogoutRedirectUri: postLogoutRedirectUri, scopes: scopes
        ))
    }

    /// The configured issuer.
    public var issuer: String { raw.issuer() }
    /// The configured client ID.
    public var clientId: String { raw.clientId() }

    /// The issuer's discovery document as JSON (fetched once, then cached).
    public func discover() async throws -> String {
        try await translatingErrors { try await raw.discover() }
    }

    // MARK: Authorization code flow (PKCE)

    /// The authorization URL to open and the pending request to keep until the callback.
    /// Keep `pending` private: it holds the PKCE verifier.
    public func beginAuthorization(
        _ options: AuthorizationOptions = AuthorizationOptions()
    ) async throws -> (url: URL, pending: PendingAuthorization) {
        let request = try await translatingErrors { try await raw.beginAuthorization(options: options) }
        guard let url = URL(string: request.url) else {
            throw UpbondLoginError.protocolViolation(.local(code: "protocol_error", "authorization URL is not a URL"))
        }
        return (url, request.pending)
    }

    /// Checks the callback URL against `pending` (state, issuer) and exchanges the code.
    public func completeAuthorization(_ pending: PendingAuthorization, callbackURL: URL) async throws -> TokenSet {
        try await translatingErrors {
            try await raw.completeAuthorization(pending: pending, callbackUrl: callbackURL.absoluteString)
        }
    }

    // MARK: Device flow (RFC 8628)

    /// Starts a device authorization: show `userCode` and `verificationUri` to the user.
    public func startDeviceAuthorization(scopes: [String] = []) async throws -> DeviceAuthorization {
        try await translatingErrors { try await raw.startDeviceAuthorization(scopes: scopes) }
    }

    /// Polls until the user approves, denies or the code expires. Cancelling the calling task
    /// stops the polling at once and throws `CancellationError`.
    public func pollDeviceAuthorization(_ device: DeviceAuthorization) async throws -> TokenSet {
        let token = CancelToken()
        return try await withTaskCancellationHandler {
            do {
                return try await translatingErrors {
                    try await raw.pollDeviceAuthorization(device: device, cancel: token)
                }
            } catch UpbondLoginError.cancelled where Task.isCancelled {
                throw CancellationError()
            }
        } onCancel: {
            token.cancel()
        }
    }

    /// The whole device flow: starts it, hands the codes to `present` (show them to the user),
    /// then polls until the user approved.
    public func signInWithDevice(
        scopes: [String] = [],
        present: @Sendable (DeviceAuthorization) async throws -> Void
    ) async throws -> TokenSet {
        let device = try await startDeviceAuthorization(scopes: scopes)
        try await present(device)
        return try await pollDeviceAuthorization(device)
    }

    // MARK: Other grants and calls

    /// Client credentials grant (confidential clients).
    public func clientCredentials(scopes: [String] = []) async throws -> TokenSet {
        try await translatingErrors { try await raw.clientCredentials(scopes: scopes) }
    }

    /// New tokens for a refresh token; keeps the old refresh token when the issuer sends none.
    public func refresh(refreshToken: String) async throws -> TokenSet {
        try await translatingErrors { try await raw.refresh(refreshToken: refreshToken) }
    }

    /// Revokes a token (RFC 7009); unknown tokens count as revoked.
    public func revoke(_ token: String, hint: TokenTypeHint? = nil) async throws {
        try await translatingErrors { try await raw.revoke(token: token, hint: hint) }
    }

    /// The claims of the user the access token belongs to; with `expectedSubject` (the ID
    /// token's `sub`), a different user is an error.
    public func userInfo(accessToken: String, expectedSubject: String? = nil) async throws -> UserInfo {
        try await translatingErrors {
            try await raw.userinfo(accessToken: accessToken, expectedSubject: expectedSubject, jwt: false)
        }
    }

    /// Like ``userInfo(accessToken:expectedSubject:)`` but as a signed JWT, validated like an ID token.
    public func userInfoJWT(accessToken: String, expectedSubject: String? = nil) async throws -> UserInfo {
        try await translatingErrors {
            try await raw.userinfo(accessToken: accessToken, expectedSubject: expectedSubject, jwt: true)
        }
    }

    /// The URL that ends the session at the issuer (RP-initiated logout); open it in the browser.
    public func logoutURL(_ options: LogoutOptions = LogoutOptions()) async throws -> URL {
        let url = try await translatingErrors { try await raw.logoutUrl(options: options) }
        guard let parsed = URL(string: url) else {
            throw UpbondLoginError.protocolViolation(.local(code: "protocol_error", "logout URL is not a URL"))
        }
        return parsed
    }

    // MARK: UPBOND user API (the signed-in user's own account; `userId` is the ID token's `sub`)

    /// The user's profile.
    public func userProfile(accessToken: String, userId: String) async throws -> UserProfile {
        try await translatingErrors { try await raw.userProfile(accessToken: accessToken, userId: userId) }
    }

    /// Sends the verification email again.
    public func resendVerificationEmail(accessToken: String, userId: String) async throws {
        try await translatingErrors { try await raw.resendVerificationEmail(accessToken: accessToken, userId: userId) }
    }

    /// Starts an email change (a code goes to the new address). A wrong `currentPassword`
    /// throws ``UpbondLoginError/emailPasswordRejected(_:)`` (`EMAIL_007`).
    public func changeEmail(accessToken: String, userId: String, newEmail: String, currentPassword: String) async throws {
        try await translatingErrors {
            try await raw.changeEmail(
                accessToken: accessToken, userId: userId, newEmail: newEmail, currentPassword: currentPassword)
        }
    }

    /// Completes an email verification or change with the emailed code.
    public func verifyEmail(accessToken: String, userId: String, code: String) async throws {
        try await translatingErrors { try await raw.verifyEmail(accessToken: accessToken, userId: userId, code: code) }
    }

    // MARK: Diagnostics

    /// Diagnoses the issuer: DNS, TCP, TLS, discovery, keys, clock skew and response time.
    public func doctor() async -> DoctorReport { await raw.doctor() }
    /// This client's metrics since it was created.
    public var metrics: MetricsSnapshot { raw.metrics() }
    /// A redacted report of recent activity (JSON) to attach to support requests.
    public func supportReport() -> String { raw.supportReport() }
}

extension ErrorInfo {
    /// An error raised by the Swift layer itself, described from the catalog entry of `code`.
    static func local(code: String, _ message: String) -> ErrorInfo {
        let entry = explain(code: code)
        return ErrorInfo(
            code: code, message: message, causes: entry?.causes ?? [], resolution: entry?.resolution ?? [],
            isRetryable: entry?.retryable ?? false,
            requiresReauthentication: entry?.reauthenticationRequired ?? false,
            retryAfter: nil, status: nil, provider: nil, scope: nil
        )
    }
}
