import Foundation

/// What every ``UpbondLoginError`` carries: the catalog code and advice, and the retry facts.
public struct ErrorInfo: Sendable, Hashable {
    /// The stable catalog code, e.g. `invalid_client` or `KOE101` (see ``explain(code:)``).
    public let code: String
    /// What happened, in one line. Never contains a token, code, secret or password.
    public let message: String
    /// Likely causes, from the catalog.
    public let causes: [String]
    /// What to do about it, from the catalog.
    public let resolution: [String]
    /// Whether the same request may succeed when tried again later.
    public let isRetryable: Bool
    /// Whether the user has to sign in again to recover.
    public let requiresReauthentication: Bool
    /// How long the issuer asked to wait before retrying, when it said so.
    public let retryAfter: Duration?
    /// The HTTP status of the answer, when the error came from one.
    public let status: Int?
    /// The social login provider that failed (`kakao` ...), for the provider codes.
    public let provider: String?
    /// The scope a resource asked for, for `insufficient_scope`.
    public let scope: String?
}

/// An error of upbond-login: one case per entry family of the troubleshooting catalog, each with
/// the same ``ErrorInfo``. Match a case (`catch UpbondLoginError.deviceCodeExpired`) or read the
/// shared facts (`error.code`, `error.isRetryable`, `error.retryAfter`, `error.resolution`).
public enum UpbondLoginError: Error, Sendable, Hashable {
    /// The configuration breaks a platform rule (`invalid_config`).
    case config(ErrorInfo)
    /// The issuer rejected the request as malformed (`invalid_request`).
    case invalidRequest(ErrorInfo)
    /// Client authentication failed (`invalid_client`).
    case invalidClient(ErrorInfo)
    /// The code, refresh token or device code is invalid, expired or revoked (`invalid_grant`).
    case invalidGrant(ErrorInfo)
    /// The client may not use this grant (`unauthorized_client`).
    case unauthorizedClient(ErrorInfo)
    /// The issuer does not know the grant type (`unsupported_grant_type`).
    case unsupportedGrantType(ErrorInfo)
    /// A requested scope is invalid (`invalid_scope`).
    case invalidScope(ErrorInfo)
    /// The user or the issuer denied the authorization (`access_denied`).
    case accessDenied(ErrorInfo)
    /// The user has to sign in interactively (`login_required` and its relatives).
    case loginRequired(ErrorInfo)
    /// The redirect URI is not registered (`redirect_uri_mismatch`).
    case redirectUriMismatch(ErrorInfo)
    /// A social login provider failed (`KOE101`, `WAE102`, `WCE102`, `TGE102`).
    case socialProvider(ErrorInfo)
    /// The access token is invalid or expired (`invalid_token`).
    case invalidToken(ErrorInfo)
    /// The access token lacks a scope (`insufficient_scope`; see ``ErrorInfo/scope``).
    case insufficientScope(ErrorInfo)
    /// The current password was rejected during an email change (`EMAIL_007`).
    case emailPasswordRejected(ErrorInfo)
    /// An email verification or change failed (`email_operation_failed`).
    case emailOperationFailed(ErrorInfo)
    /// The device code expired before the user approved (`expired_token`).
    case deviceCodeExpired(ErrorInfo)
    /// The user code is not valid (`invalid_user_code`).
    case invalidUserCode(ErrorInfo)
    /// The issuer's rate limit was hit (`rate_limit_exceeded`; see ``retryAfter``).
    case rateLimited(ErrorInfo)
    /// The client-side rate budget is spent; nothing was sent (`rate_budget_exhausted`).
    case rateBudgetExhausted(ErrorInfo)
    /// The issuer reported a server failure (`server_error`).
    case serverError(ErrorInfo)
    /// The issuer returned an OAuth error this SDK does not know (`oauth_error`).
    case oauth(ErrorInfo)
    /// An HTTP error without an OAuth body (`http_server_error`, `http_client_error`).
    case http(ErrorInfo)
    /// No HTTP answer (`network_timeout`, `network_dns`, `network_tls`, `network_connect`,
    /// `network_reset`, `network_io`).
    case network(ErrorInfo)
    /// The issuer's answer broke the protocol (`protocol_error`).
    case protocolViolation(ErrorInfo)
    /// The token type is not supported (`unsupported_token_type`).
    case unsupportedTokenType(ErrorInfo)
    /// An issuer identifier did not match (`issuer_mismatch`).
    case issuerMismatch(ErrorInfo)
    /// The issuer lacks a needed feature (`not_supported_by_issuer`).
    case notSupported(ErrorInfo)
    /// The ID token failed validation (`id_token_*`).
    case idToken(ErrorInfo)
    /// The userinfo subject differs from the ID token's (`userinfo_subject_mismatch`).
    case userInfoSubjectMismatch(ErrorInfo)
    /// The callback's state differs from the pending request's (`state_mismatch`).
    case stateMismatch(ErrorInfo)
    /// The call was cancelled (`cancelled`). A cancelled Swift task gets `CancellationError`.
    case cancelled(ErrorInfo)
    /// Reading or writing stored state failed (`storage_error`).
    case storage(ErrorInfo)
    /// The session has no usable tokens: sign the user in (`not_signed_in`).
    case notSignedIn(ErrorInfo)
    /// Any other failure (a newer core error kind, or a failure inside the SDK).
    case other(ErrorInfo)

    /// The facts every case carries.
    public var info: ErrorInfo {
        switch self {
        case .config(let i), .invalidRequest(let i), .invalidClient(let i), .invalidGrant(let i),
            .unauthorizedClient(let i), .unsupportedGrantType(let i), .invalidScope(let i),
            .accessDenied(let i), .loginRequired(let i), .redirectUriMismatch(let i),
            .socialProvider(let i), .invalidToken(let i), .insufficientScope(let i),
            .emailPasswordRejected(let i), .emailOperationFailed(let i),
            .deviceCodeExpired(let i), .invalidUserCode(let i), .rateLimited(let i),
            .rateBudgetExhausted(let i), .serverError(let i), .oauth(let i), .http(let i),
            .network(let i), .protocolViolation(let i), .unsupportedTokenType(let i),
            .issuerMismatch(let i), .notSupported(let i), .idToken(let i),
            .userInfoSubjectMismatch(let i), .stateMismatch(let i), .cancelled(let i),
            .storage(let i), .notSignedIn(let i), .other(let i):
            return i
        }
    }

    /// The stable catalog code, e.g. `invalid_grant`.
    public var code: String { info.code }
    /// What happened, in one line (no secrets).
    public var message: String { info.message }
    /// What to do about it, from the catalog.
    public var resolution: [String] { info.resolution }
    /// Whether the same request may succeed when tried again later.
    public var isRetryable: Bool { info.isRetryable }
    /// Whether the user has to sign in again to recover.
    public var requiresReauthentication: Bool { info.requiresReauthentication }
    /// How long the issuer asked to wait before retrying, when it said so.
    public var retryAfter: Duration? { info.retryAfter }
}

extension UpbondLoginError: LocalizedError, CustomStringConvertible {
    /// `code: message`.
    public var description: String { "\(code): \(message)" }
    /// `code: message`, for `localizedDescription`.
    public var errorDescription: String? { description }
    /// The first resolution step, for alerts.
    public var recoverySuggestion: String? { resolution.first }
}

extension UpbondLoginError {
    /// The idiomatic error for an error thrown by the generated bindings.
    init(_ error: UpbondError) {
        switch error {
        case .Config(let i): self = .config(ErrorInfo(i))
        case .InvalidRequest(let i): self = .invalidRequest(ErrorInfo(i))
        case .InvalidClient(let i): self = .invalidClient(ErrorInfo(i))
        case .InvalidGrant(let i): self = .invalidGrant(ErrorInfo(i))
        case .UnauthorizedClient(let i): self = .unauthorizedClient(ErrorInfo(i))
        case .UnsupportedGrantType(let i): self = .unsupportedGrantType(ErrorInfo(i))
        case .InvalidScope(let i): self = .invalidScope(ErrorInfo(i))
        case .AccessDenied(let i): self = .accessDenied(ErrorInfo(i))
        case .LoginRequired(let i): self = .loginRequired(ErrorInfo(i))
        case .RedirectUriMismatch(let i): self = .redirectUriMismatch(ErrorInfo(i))
        case .SocialProvider(let i): self = .socialProvider(ErrorInfo(i))
        case .InvalidToken(let i): self = .invalidToken(ErrorInfo(i))
        case .InsufficientScope(let i): self = .insufficientScope(ErrorInfo(i))
        case .EmailPasswordRejected(let i): self = .emailPasswordRejected(ErrorInfo(i))
        case .EmailOperationFailed(let i): self = .emailOperationFailed(ErrorInfo(i))
        case .DeviceCodeExpired(let i): self = .deviceCodeExpired(ErrorInfo(i))
        case .InvalidUserCode(let i): self = .invalidUserCode(ErrorInfo(i))
        case .RateLimited(let i): self = .rateLimited(ErrorInfo(i))
        case .RateBudgetExhausted(let i): self = .rateBudgetExhausted(ErrorInfo(i))
        case .ServerError(let i): self = .serverError(ErrorInfo(i))
        case .OAuth(let i): self = .oauth(ErrorInfo(i))
        case .Http(let i): self = .http(ErrorInfo(i))
        case .Network(let i): self = .network(ErrorInfo(i))
        case .Protocol(let i): self = .protocolViolation(ErrorInfo(i))
        case .UnsupportedTokenType(let i): self = .unsupportedTokenType(ErrorInfo(i))
        case .IssuerMismatch(let i): self = .issuerMismatch(ErrorInfo(i))
        case .NotSupported(let i): self = .notSupported(ErrorInfo(i))
        case .IdToken(let i): self = .idToken(ErrorInfo(i))
        case .UserInfoSubjectMismatch(let i): self = .userInfoSubjectMismatch(ErrorInfo(i))
        case .StateMismatch(let i): self = .stateMismatch(ErrorInfo(i))
        case .Cancelled(let i): self = .cancelled(ErrorInfo(i))
        case .Storage(let i): self = .storage(ErrorInfo(i))
        case .NotSignedIn(let i): self = .notSignedIn(ErrorInfo(i))
        case .Other(let i): self = .other(ErrorInfo(i))
        }
    }
}

extension ErrorInfo {
    /// The facts of a generated error, in Swift's terms.
    init(_ info: UpbondErrorInfo) {
        self.init(
            code: info.code,
            message: info.detail,
            causes: info.causes,
            resolution: info.resolution,
            isRetryable: info.retryable,
            requiresReauthentication: info.reauthenticationRequired,
            retryAfter: info.retryAfterMs.map { .milliseconds(Int64(clamping: $0)) },
            status: info.status.map(Int.init),
            provider: info.provider,
            scope: info.scope
        )
    }
}

/// Runs a call of the generated bindings, rethrowing their errors as ``UpbondLoginError``.
func translatingErrors<T>(_ call: () async throws -> T) async throws -> T {
    do {
        return try await call()
    } catch let error as UpbondError {
        throw UpbondLoginError(error)
    }
}

/// Synchronous twin of ``translatingErrors(_:)-async``.
func translatingErrors<T>(_ call: () throws -> T) throws -> T {
    do {
        return try call()
    } catch let error as UpbondError {
        throw UpbondLoginError(error)
    }
}
