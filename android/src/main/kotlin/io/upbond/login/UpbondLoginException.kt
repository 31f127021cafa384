package io.upbond.login

import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds

/**
 * Every failure of upbond-login: one subclass per entry kind of the error catalog, so
 * `when (e) { is UpbondLoginException.InvalidGrant -> ... }` is exhaustive. Every subclass
 * carries the catalog [code] (e.g. `invalid_grant`, `KOE101`, `network_timeout`), a one-line
 * [detail] that never contains a secret, the catalog's [causes] and [resolution], whether a
 * retry may succeed ([retryable]) and after how long ([retryAfter]), whether the user must
 * sign in again ([reauthenticationRequired]) and, where it applies, the HTTP [status].
 */
sealed class UpbondLoginException(private val fields: UpbondErrorInfo, cause: Throwable?) :
    Exception("${fields.code}: ${fields.detail}", cause) {
    /** The stable catalog code, e.g. `invalid_client`, `EMAIL_007`, `network_timeout`. */
    val code: String get() = fields.code

    /** What happened, in one line (never a secret). */
    val detail: String get() = fields.detail

    /** Likely causes, from the catalog. */
    val causes: List<String> get() = fields.causes

    /** What to do about it, from the catalog. */
    val resolution: List<String> get() = fields.resolution

    /** Whether the same request may succeed when tried again later. */
    val retryable: Boolean get() = fields.retryable

    /** Whether the user has to sign in again to recover. */
    val reauthenticationRequired: Boolean get() = fields.reauthenticationRequired

    /** How long the issuer asked to wait before retrying, when it said so. */
    val retryAfter: Duration? get() = fields.retryAfterMs?.toLong()?.milliseconds

    /** The HTTP status of the answer, when the error came from one. */
    val status: Int? get() = fields.status?.toInt()

    /** The configuration breaks a platform rule (`invalid_config`). */
    class Config internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer rejected the request as malformed (`invalid_request`). */
    class InvalidRequest internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** Client authentication failed (`invalid_client`). */
    class InvalidClient internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The code, refresh token or device code is invalid, expired or revoked (`invalid_grant`). */
    class InvalidGrant internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The client may not use this grant (`unauthorized_client`). */
    class UnauthorizedClient internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer does not know the grant type (`unsupported_grant_type`). */
    class UnsupportedGrantType internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** A requested scope is invalid (`invalid_scope`). */
    class InvalidScope internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The user or the issuer denied the authorization (`access_denied`). */
    class AccessDenied internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The user has to sign in interactively, e.g. after `prompt=none` (`login_required`). */
    class LoginRequired internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The redirect URI is not registered for the client (`redirect_uri_mismatch`). */
    class RedirectUriMismatch internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)

    /** A social login provider failed (`KOE101`, `WAE102`, `WCE102`, `TGE102`). */
    class SocialProvider internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c) {
        /** The provider that failed: `kakao`, `whatsapp`, `wechat`, `telegram` ... */
        val provider: String = f.provider.orEmpty()
    }

    /** The access token is invalid, expired or revoked (`invalid_token`). */
    class InvalidToken internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)

    /** The access token lacks a scope the resource needs (`insufficient_scope`). */
    class InsufficientScope internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c) {
        /** The scope the resource asked for, when it named one. */
        val scope: String? = f.scope
    }

    /** The current password was rejected during an email change (`EMAIL_007`). */
    class EmailPasswordRejected internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** An email verification or change failed (`email_operation_failed`). */
    class EmailOperationFailed internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The device code expired before the user approved (`expired_token`). */
    class DeviceCodeExpired internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The user code is not valid (`invalid_user_code`). */
    class InvalidUserCode internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer's rate limit was hit (`rate_limit_exceeded`); see [retryAfter]. */
    class RateLimited internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The client-side rate budget is spent; nothing was sent (`rate_budget_exhausted`). */
    class RateBudgetExhausted internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer reported a server failure (`server_error`). */
    class ServerError internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer returned an OAuth error this SDK has no type for (`oauth_error`). */
    class OAuth internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** An HTTP error without an OAuth body (`http_server_error`, `http_client_error`). */
    class Http internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /**
     * No HTTP answer: `network_timeout`, `network_dns`, `network_tls`, `network_connect`,
     * `network_reset`, `network_io`.
     */
    class Network internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer's answer broke the protocol (`protocol_error`). */
    class Protocol internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The token type is not supported (`unsupported_token_type`). */
    class UnsupportedTokenType internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** An issuer identifier did not match the configured one (`issuer_mismatch`). */
    class IssuerMismatch internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer lacks a feature the call needs (`not_supported_by_issuer`). */
    class NotSupported internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The ID token failed validation (`id_token_*`, e.g. `id_token_expired`). */
    class IdToken internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The userinfo subject differs from the ID token's (`userinfo_subject_mismatch`). */
    class UserInfoSubjectMismatch internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The callback's state differs from the pending request's (`state_mismatch`). */
    class StateMismatch internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** Nothing is stored, or the session cannot be renewed: sign in (`not_signed_in`). */
    class NotSignedIn internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** The call was cancelled through a [CancelToken] (`cancelled`). */
    class Cancelled internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** Reading or writing stored state failed, e.g. a token store threw (`storage_error`). */
    class Storage internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
    /** Any other failure, e.g. an error kind newer than this package. */
    class Other internal constructor(f: UpbondErrorInfo, c: Throwable?) : UpbondLoginException(f, c)
}

/** The idiomatic exception for an error of the native library (kept as the cause). */
internal fun UpbondException.toLoginException(): UpbondLoginException = when (this) {
    is UpbondException.Config -> UpbondLoginException.Config(info, this)
    is UpbondException.InvalidRequest -> UpbondLoginException.InvalidRequest(info, this)
    is UpbondException.InvalidClient -> UpbondLoginException.InvalidClient(info, this)
    is UpbondException.InvalidGrant -> UpbondLoginException.InvalidGrant(info, this)
    is UpbondException.UnauthorizedClient -> UpbondLoginException.UnauthorizedClient(info, this)
    is UpbondException.UnsupportedGrantType -> UpbondLoginException.UnsupportedGrantType(info, this)
    is UpbondException.InvalidScope -> UpbondLoginException.InvalidScope(info, this)
    is UpbondException.AccessDenied -> UpbondLoginException.AccessDenied(info, this)
    is UpbondException.LoginRequired -> UpbondLoginException.LoginRequired(info, this)
    is UpbondException.RedirectUriMismatch -> UpbondLoginException.RedirectUriMismatch(info, this)
    is UpbondException.SocialProvider -> UpbondLoginException.SocialProvider(info, this)
    is UpbondException.InvalidToken -> UpbondLoginException.InvalidToken(info, this)
    is UpbondException.InsufficientScope -> UpbondLoginException.InsufficientScope(info, this)
    is UpbondException.EmailPasswordRejected -> UpbondLoginException.EmailPasswordRejected(info, this)
    is UpbondException.EmailOperationFailed -> UpbondLoginException.EmailOperationFailed(info, this)
    is UpbondException.DeviceCodeExpired -> UpbondLoginException.DeviceCodeExpired(info, this)
    is UpbondException.InvalidUserCode -> UpbondLoginException.InvalidUserCode(info, this)
    is UpbondException.RateLimited -> UpbondLoginException.RateLimited(info, this)
    is UpbondException.RateBudgetExhausted -> UpbondLoginException.RateBudgetExhausted(info, this)
    is UpbondException.ServerException -> UpbondLoginException.ServerError(info, this)
    is UpbondException.OAuth -> UpbondLoginException.OAuth(info, this)
    is UpbondException.Http -> UpbondLoginException.Http(info, this)
    is UpbondException.Network -> UpbondLoginException.Network(info, this)
    is UpbondException.Protocol -> UpbondLoginException.Protocol(info, this)
    is UpbondException.UnsupportedTokenType -> UpbondLoginException.UnsupportedTokenType(info, this)
    is UpbondException.IssuerMismatch -> UpbondLoginException.IssuerMismatch(info, this)
    is UpbondException.NotSupported -> UpbondLoginException.NotSupported(info, this)
    is UpbondException.IdToken -> UpbondLoginException.IdToken(info, this)
    is UpbondException.UserInfoSubjectMismatch -> UpbondLoginException.UserInfoSubjectMismatch(info, this)
    is UpbondException.StateMismatch -> UpbondLoginException.StateMismatch(info, this)
    is UpbondException.Cancelled -> UpbondLoginException.Cancelled(info, this)
    is UpbondException.Storage -> UpbondLoginException.Storage(info, this)
    is UpbondException.NotSignedIn -> UpbondLoginException.NotSignedIn(info, this)
    is UpbondException.Other -> UpbondLoginException.Other(info, this)
}

/** Runs a call of the native library, turning its errors into [UpbondLoginException]s. */
internal inline fun <T> translating(block: () -> T): T =
    try {
        block()
    } catch (e: UpbondException) {
        throw e.toLoginException()
    }
