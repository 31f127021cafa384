package io.upbond.login

import java.nio.ByteBuffer
import java.nio.ByteOrder
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
sealed class UpbondLoginException(private val fields: ErrorFields, cause: Throwable?) :
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
    class Config internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer rejected the request as malformed (`invalid_request`). */
    class InvalidRequest internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** Client authentication failed (`invalid_client`). */
    class InvalidClient internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The code, refresh token or device code is invalid, expired or revoked (`invalid_grant`). */
    class InvalidGrant internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The client may not use this grant (`unauthorized_client`). */
    class UnauthorizedClient internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer does not know the grant type (`unsupported_grant_type`). */
    class UnsupportedGrantType internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** A requested scope is invalid (`invalid_scope`). */
    class InvalidScope internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The user or the issuer denied the authorization (`access_denied`). */
    class AccessDenied internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The user has to sign in interactively, e.g. after `prompt=none` (`login_required`). */
    class LoginRequired internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The redirect URI is not registered for the client (`redirect_uri_mismatch`). */
    class RedirectUriMismatch internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)

    /** A social login provider failed (`KOE101`, `WAE102`, `WCE102`, `TGE102`). */
    class SocialProvider internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c) {
        /** The provider that failed: `kakao`, `whatsapp`, `wechat`, `telegram` ... */
        val provider: String = f.provider.orEmpty()
    }

    /** The access token is invalid, expired or revoked (`invalid_token`). */
    class InvalidToken internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)

    /** The access token lacks a scope the resource needs (`insufficient_scope`). */
    class InsufficientScope internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c) {
        /** The scope the resource asked for, when it named one. */
        val scope: String? = f.scope
    }

    /** The current password was rejected during an email change (`EMAIL_007`). */
    class EmailPasswordRejected internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** An email verification or change failed (`email_operation_failed`). */
    class EmailOperationFailed internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The device code expired before the user approved (`expired_token`). */
    class DeviceCodeExpired internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The user code is not valid (`invalid_user_code`). */
    class InvalidUserCode internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer's rate limit was hit (`rate_limit_exceeded`); see [retryAfter]. */
    class RateLimited internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The client-side rate budget is spent; nothing was sent (`rate_budget_exhausted`). */
    class RateBudgetExhausted internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer reported a server failure (`server_error`). */
    class ServerError internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer returned an OAuth error this SDK has no type for (`oauth_error`). */
    class OAuth internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** An HTTP error without an OAuth body (`http_server_error`, `http_client_error`). */
    class Http internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /**
     * No HTTP answer: `network_timeout`, `network_dns`, `network_tls`, `network_connect`,
     * `network_reset`, `network_io`.
     */
    class Network internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer's answer broke the protocol (`protocol_error`). */
    class Protocol internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The token type is not supported (`unsupported_token_type`). */
    class UnsupportedTokenType internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** An issuer identifier did not match the configured one (`issuer_mismatch`). */
    class IssuerMismatch internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The issuer lacks a feature the call needs (`not_supported_by_issuer`). */
    class NotSupported internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The ID token failed validation (`id_token_*`, e.g. `id_token_expired`). */
    class IdToken internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The userinfo subject differs from the ID token's (`userinfo_subject_mismatch`). */
    class UserInfoSubjectMismatch internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The callback's state differs from the pending request's (`state_mismatch`). */
    class StateMismatch internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** Nothing is stored, or the session cannot be renewed: sign in (`not_signed_in`). */
    class NotSignedIn internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** The call was cancelled through a [CancelToken] (`cancelled`). */
    class Cancelled internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** Reading or writing stored state failed, e.g. a token store threw (`storage_error`). */
    class Storage internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
    /** Any other failure, e.g. an error kind newer than this package. */
    class Other internal constructor(f: ErrorFields, c: Throwable?) : UpbondLoginException(f, c)
}

/** The fields every error variant of the native library carries, in wire order. */
internal class ErrorFields(
    val code: String,
    val detail: String,
    val causes: List<String>,
    val resolution: List<String>,
    val retryable: Boolean,
    val reauthenticationRequired: Boolean,
    val retryAfterMs: ULong?,
    val status: UShort?,
    val provider: String?,
    val scope: String?,
)

/**
 * The shared fields of a generated error. Every variant serialises the same fields in the same
 * order (bindings/src/error.rs), so they are read back through the generated converters instead
 * of one property access per variant class.
 */
internal fun UpbondException.fields(): ErrorFields {
    val buf = ByteBuffer.allocate(FfiConverterTypeUpbondError.allocationSize(this).toInt())
        .order(ByteOrder.BIG_ENDIAN)
    FfiConverterTypeUpbondError.write(this, buf)
    buf.flip()
    buf.getInt() // the variant index; the class already says it
    return ErrorFields(
        code = FfiConverterString.read(buf),
        detail = FfiConverterString.read(buf),
        causes = FfiConverterSequenceString.read(buf),
        resolution = FfiConverterSequenceString.read(buf),
        retryable = FfiConverterBoolean.read(buf),
        reauthenticationRequired = FfiConverterBoolean.read(buf),
        retryAfterMs = FfiConverterOptionalULong.read(buf),
        status = FfiConverterOptionalUShort.read(buf),
        provider = FfiConverterOptionalString.read(buf),
        scope = FfiConverterOptionalString.read(buf),
    )
}

/** The idiomatic exception for an error of the native library (kept as the cause). */
internal fun UpbondException.toLoginException(): UpbondLoginException {
    val f = fields()
    val make: (ErrorFields, Throwable?) -> UpbondLoginException = when (this) {
        is UpbondException.Config -> UpbondLoginException::Config
        is UpbondException.InvalidRequest -> UpbondLoginException::InvalidRequest
        is UpbondException.InvalidClient -> UpbondLoginException::InvalidClient
        is UpbondException.InvalidGrant -> UpbondLoginException::InvalidGrant
        is UpbondException.UnauthorizedClient -> UpbondLoginException::UnauthorizedClient
        is UpbondException.UnsupportedGrantType -> UpbondLoginException::UnsupportedGrantType
        is UpbondException.InvalidScope -> UpbondLoginException::InvalidScope
        is UpbondException.AccessDenied -> UpbondLoginException::AccessDenied
        is UpbondException.LoginRequired -> UpbondLoginException::LoginRequired
        is UpbondException.RedirectUriMismatch -> UpbondLoginException::RedirectUriMismatch
        is UpbondException.SocialProvider -> UpbondLoginException::SocialProvider
        is UpbondException.InvalidToken -> UpbondLoginException::InvalidToken
        is UpbondException.InsufficientScope -> UpbondLoginException::InsufficientScope
        is UpbondException.EmailPasswordRejected -> UpbondLoginException::EmailPasswordRejected
        is UpbondException.EmailOperationFailed -> UpbondLoginException::EmailOperationFailed
        is UpbondException.DeviceCodeExpired -> UpbondLoginException::DeviceCodeExpired
        is UpbondException.InvalidUserCode -> UpbondLoginException::InvalidUserCode
        is UpbondException.RateLimited -> UpbondLoginException::RateLimited
        is UpbondException.RateBudgetExhausted -> UpbondLoginException::RateBudgetExhausted
        is UpbondException.ServerException -> UpbondLoginException::ServerError
        is UpbondException.OAuth -> UpbondLoginException::OAuth
        is UpbondException.Http -> UpbondLoginException::Http
        is UpbondException.Network -> UpbondLoginException::Network
        is UpbondException.Protocol -> UpbondLoginException::Protocol
        is UpbondException.UnsupportedTokenType -> UpbondLoginException::UnsupportedTokenType
        is UpbondException.IssuerMismatch -> UpbondLoginException::IssuerMismatch
        is UpbondException.NotSupported -> UpbondLoginException::NotSupported
        is UpbondException.IdToken -> UpbondLoginException::IdToken
        is UpbondException.UserInfoSubjectMismatch -> UpbondLoginException::UserInfoSubjectMismatch
        is UpbondException.StateMismatch -> UpbondLoginException::StateMismatch
        is UpbondException.Cancelled -> UpbondLoginException::Cancelled
        is UpbondException.Storage -> UpbondLoginException::Storage
        is UpbondException.NotSignedIn -> UpbondLoginException::NotSignedIn
        else -> UpbondLoginException::Other // `Other`, or a kind newer than this layer
    }
    return make(f, this)
}

/** Runs a call of the native library, turning its errors into [UpbondLoginException]s. */
internal inline fun <T> translating(block: () -> T): T =
    try {
        block()
    } catch (e: UpbondException) {
        throw e.toLoginException()
    }
