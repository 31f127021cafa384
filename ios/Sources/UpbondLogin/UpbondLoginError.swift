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
        let info = ErrorInfo(error)
        switch error {
        case .Config: self = .config(info)
        case .InvalidRequest: self = .invalidRequest(info)
        case .InvalidClient: self = .invalidClient(info)
        case .InvalidGrant: self = .invalidGrant(info)
        case .UnauthorizedClient: self = .unauthorizedClient(info)
        case .UnsupportedGrantType: self = .unsupportedGrantType(info)
        case .InvalidScope: self = .invalidScope(info)
        case .AccessDenied: self = .accessDenied(info)
        case .LoginRequired: self = .loginRequired(info)
        case .RedirectUriMismatch: self = .redirectUriMismatch(info)
        case .SocialProvider: self = .socialProvider(info)
        case .InvalidToken: self = .invalidToken(info)
        case .InsufficientScope: self = .insufficientScope(info)
        case .EmailPasswordRejected: self = .emailPasswordRejected(info)
        case .EmailOperationFailed: self = .emailOperationFailed(info)
        case .DeviceCodeExpired: self = .deviceCodeExpired(info)
        case .InvalidUserCode: self = .invalidUserCode(info)
        case .RateLimited: self = .rateLimited(info)
        case .RateBudgetExhausted: self = .rateBudgetExhausted(info)
        case .ServerError: self = .serverError(info)
        case .OAuth: self = .oauth(info)
        case .Http: self = .http(info)
        case .Network: self = .network(info)
        case .Protocol: self = .protocolViolation(info)
        case .UnsupportedTokenType: self = .unsupportedTokenType(info)
        case .IssuerMismatch: self = .issuerMismatch(info)
        case .NotSupported: self = .notSupported(info)
        case .IdToken: self = .idToken(info)
        case .UserInfoSubjectMismatch: self = .userInfoSubjectMismatch(info)
        case .StateMismatch: self = .stateMismatch(info)
        case .Cancelled: self = .cancelled(info)
        case .Storage: self = .storage(info)
        case .NotSignedIn: self = .notSignedIn(info)
        case .Other: self = .other(info)
        }
    }
}

extension ErrorInfo {
    /// Reads the fields every generated error case shares (the bindings give each case the
    /// same labelled values, so they are read by label rather than with one pattern per case).
    init(_ error: UpbondError) {
        var fields: [String: Any] = [:]
        if let payload = Mirror(reflecting: error).children.first?.value {
            for child in Mirror(reflecting: payload).children {
                if let label = child.label { fields[label] = child.value }
            }
        }
        func optional<T>(_ label: String) -> T? {
            // An absent optional arrives as `Optional<T>.none` boxed in `Any`.
            fields[label].flatMap { $0 as? T? } ?? nil
        }
        self.init(
            code: fields["code"] as? String ?? "unknown",
            message: fields["detail"] as? String ?? String(describing: type(of: error)),
            causes: fields["causes"] as? [String] ?? [],
            resolution: fields["resolution"] as? [String] ?? [],
            isRetryable: fields["retryable"] as? Bool ?? false,
            requiresReauthentication: fields["reauthenticationRequired"] as? Bool ?? false,
            retryAfter: (optional("retryAfterMs") as UInt64?).map { .milliseconds(Int64(clamping: $0)) },
            status: (optional("status") as UInt16?).map(Int.init),
            provider: optional("provider"),
            scope: optional("scope")
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
