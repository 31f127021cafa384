"""The exception hierarchy: one class per catalog code, all under :class:`UpbondError`.

Every exception carries ``code``, ``message``, ``causes``, ``resolution``, ``retryable``,
``reauthentication_required``, ``retry_after`` (seconds, or ``None``) and, where they apply,
``status`` (HTTP), ``provider`` (social login) and ``scope`` (``insufficient_scope``).
Messages never contain tokens, secrets or codes.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Type

from ._native import upbond_ffi as _native

__all__ = [
    "UpbondError",
    "SocialProviderError",
    "NetworkError",
    "IdTokenError",
    "HttpError",
    "InternalError",
    "InvalidClientError",
    "RedirectUriMismatchError",
    "ConfigError",
    "InvalidRequestError",
    "UnauthorizedClientError",
    "UnsupportedGrantTypeError",
    "InvalidScopeError",
    "AccessDeniedError",
    "LoginRequiredError",
    "InvalidGrantError",
    "StateMismatchError",
    "IssuerMismatchError",
    "KakaoLoginError",
    "WhatsappLoginError",
    "WechatLoginError",
    "TelegramLoginError",
    "InvalidTokenError",
    "InsufficientScopeError",
    "UnsupportedTokenTypeError",
    "UserInfoSubjectMismatchError",
    "EmailPasswordRejectedError",
    "EmailOperationFailedError",
    "DeviceCodeExpiredError",
    "InvalidUserCodeError",
    "RateLimitedError",
    "RateBudgetExhaustedError",
    "ServerError",
    "HttpServerError",
    "HttpClientError",
    "UnknownOAuthError",
    "ProtocolError",
    "NotSupportedError",
    "NetworkTimeoutError",
    "NetworkDnsError",
    "NetworkTlsError",
    "NetworkConnectError",
    "NetworkResetError",
    "NetworkIoError",
    "IdTokenMalformedError",
    "IdTokenUnsupportedAlgError",
    "IdTokenUnknownKeyError",
    "IdTokenBadSignatureError",
    "IdTokenIssuerMismatchError",
    "IdTokenAudienceMismatchError",
    "IdTokenAzpMismatchError",
    "IdTokenExpiredError",
    "IdTokenNotYetValidError",
    "IdTokenIssuedInFutureError",
    "IdTokenMissingClaimError",
    "IdTokenNonceMismatchError",
    "IdTokenAtHashMismatchError",
    "IdTokenSubjectMismatchError",
    "CancelledError",
    "StorageError",
    "NotSignedInError",
    "error_class",
]


class UpbondError(Exception):
    """An error of upbond-login. Subclasses name the catalog code; see ``upbond.explain``."""

    #: The stable catalog code of this class (instances carry the code that was reported).
    code: str = "unknown"

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        causes: Optional[List[str]] = None,
        resolution: Optional[List[str]] = None,
        retryable: bool = False,
        reauthentication_required: bool = False,
        retry_after: Optional[float] = None,
        status: Optional[int] = None,
        provider: Optional[str] = None,
        scope: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        #: What happened, in one line.
        self.message: str = message
        #: Likely causes, from the catalog.
        self.causes: List[str] = list(causes or [])
        #: What to do about it, from the catalog.
        self.resolution: List[str] = list(resolution or [])
        #: Whether the same call may succeed when tried again later.
        self.retryable: bool = retryable
        #: Whether the user has to sign in again to recover.
        self.reauthentication_required: bool = reauthentication_required
        #: Seconds the issuer asked to wait before retrying, when it said.
        self.retry_after: Optional[float] = retry_after
        #: The HTTP status of the answer, when the error came from one.
        self.status: Optional[int] = status
        #: The social login provider that failed, for its codes.
        self.provider: Optional[str] = provider
        #: The scope a resource asked for (``insufficient_scope``).
        self.scope: Optional[str] = scope

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class SocialProviderError(UpbondError):
    """A social login provider failed (``KOE101``, ``WAE102``, ``WCE102``, ``TGE102``)."""


class NetworkError(UpbondError):
    """The request never got an HTTP answer (``network_*``)."""


class IdTokenError(UpbondError):
    """The ID token failed validation (``id_token_*``)."""


class HttpError(UpbondError):
    """An HTTP error status without an OAuth error body (``http_*``)."""


class InternalError(UpbondError):
    """A bug inside upbond-login (a panic in the native library); please report it."""

    code = "internal_error"


class InvalidClientError(UpbondError):
    """The issuer did not accept the client (``invalid_client``)."""

    code = "invalid_client"


class RedirectUriMismatchError(UpbondError):
    """The redirect URI is not registered (``redirect_uri_mismatch``)."""

    code = "redirect_uri_mismatch"


class ConfigError(UpbondError):
    """The configuration breaks the platform guidance (``invalid_config``)."""

    code = "invalid_config"


class InvalidRequestError(UpbondError):
    """The issuer rejected the request as malformed (``invalid_request``)."""

    code = "invalid_request"


class UnauthorizedClientError(UpbondError):
    """The client may not use this grant (``unauthorized_client``)."""

    code = "unauthorized_client"


class UnsupportedGrantTypeError(UpbondError):
    """The issuer does not support this grant (``unsupported_grant_type``)."""

    code = "unsupported_grant_type"


class InvalidScopeError(UpbondError):
    """A requested scope is invalid (``invalid_scope``)."""

    code = "invalid_scope"


class AccessDeniedError(UpbondError):
    """The authorization was denied (``access_denied``)."""

    code = "access_denied"


class LoginRequiredError(UpbondError):
    """The user has to sign in interactively (``login_required``)."""

    code = "login_required"


class InvalidGrantError(UpbondError):
    """The grant is invalid, expired or revoked (``invalid_grant``)."""

    code = "invalid_grant"


class StateMismatchError(UpbondError):
    """The callback does not belong to the pending sign-in (``state_mismatch``)."""

    code = "state_mismatch"


class IssuerMismatchError(UpbondError):
    """An issuer identifier did not match (``issuer_mismatch``)."""

    code = "issuer_mismatch"


class KakaoLoginError(SocialProviderError):
    """Kakao login failed: invalid app ID (``KOE101``)."""

    code = "KOE101"


class WhatsappLoginError(SocialProviderError):
    """WhatsApp login failed: phone number not registered (``WAE102``)."""

    code = "WAE102"


class WechatLoginError(SocialProviderError):
    """WeChat login failed: domain not authorized (``WCE102``)."""

    code = "WCE102"


class TelegramLoginError(SocialProviderError):
    """Telegram login failed: bot not set up for login (``TGE102``)."""

    code = "TGE102"


class InvalidTokenError(UpbondError):
    """The access token is invalid or expired (``invalid_token``)."""

    code = "invalid_token"


class InsufficientScopeError(UpbondError):
    """The access token lacks a required scope (``insufficient_scope``)."""

    code = "insufficient_scope"


class UnsupportedTokenTypeError(UpbondError):
    """The issuer returned an unknown token type (``unsupported_token_type``)."""

    code = "unsupported_token_type"


class UserInfoSubjectMismatchError(UpbondError):
    """The userinfo subject differs from the ID token's (``userinfo_subject_mismatch``)."""

    code = "userinfo_subject_mismatch"


class EmailPasswordRejectedError(UpbondError):
    """The current password did not verify (``EMAIL_007``)."""

    code = "EMAIL_007"


class EmailOperationFailedError(UpbondError):
    """The email operation failed (``email_operation_failed``)."""

    code = "email_operation_failed"


class DeviceCodeExpiredError(UpbondError):
    """The device code expired (``expired_token``)."""

    code = "expired_token"


class InvalidUserCodeError(UpbondError):
    """The user code is not valid (``invalid_user_code``)."""

    code = "invalid_user_code"


class RateLimitedError(UpbondError):
    """Too many requests (``rate_limit_exceeded``)."""

    code = "rate_limit_exceeded"


class RateBudgetExhaustedError(UpbondError):
    """The app used up its own request budget (``rate_budget_exhausted``)."""

    code = "rate_budget_exhausted"


class ServerError(UpbondError):
    """The issuer reported a server failure (``server_error``)."""

    code = "server_error"


class HttpServerError(HttpError):
    """The issuer answered with an HTTP 5xx page (``http_server_error``)."""

    code = "http_server_error"


class HttpClientError(HttpError):
    """The issuer answered with an unexpected HTTP 4xx page (``http_client_error``)."""

    code = "http_client_error"


class UnknownOAuthError(UpbondError):
    """The issuer returned an unknown error code (``oauth_error``)."""

    code = "oauth_error"


class ProtocolError(UpbondError):
    """The issuer's answer broke the protocol (``protocol_error``)."""

    code = "protocol_error"


class NotSupportedError(UpbondError):
    """The issuer does not offer this feature (``not_supported_by_issuer``)."""

    code = "not_supported_by_issuer"


class NetworkTimeoutError(NetworkError):
    """The request timed out (``network_timeout``)."""

    code = "network_timeout"


class NetworkDnsError(NetworkError):
    """The issuer's host name did not resolve (``network_dns``)."""

    code = "network_dns"


class NetworkTlsError(NetworkError):
    """The secure connection failed (``network_tls``)."""

    code = "network_tls"


class NetworkConnectError(NetworkError):
    """The connection could not be made (``network_connect``)."""

    code = "network_connect"


class NetworkResetError(NetworkError):
    """The connection was reset before the answer arrived (``network_reset``)."""

    code = "network_reset"


class NetworkIoError(NetworkError):
    """The connection broke during the request (``network_io``)."""

    code = "network_io"


class IdTokenMalformedError(IdTokenError):
    """The ID token is not a well-formed JWT (``id_token_malformed``)."""

    code = "id_token_malformed"


class IdTokenUnsupportedAlgError(IdTokenError):
    """The ID token's algorithm is not allowed (``id_token_unsupported_alg``)."""

    code = "id_token_unsupported_alg"


class IdTokenUnknownKeyError(IdTokenError):
    """No key matches the ID token (``id_token_unknown_key``)."""

    code = "id_token_unknown_key"


class IdTokenBadSignatureError(IdTokenError):
    """The ID token's signature does not verify (``id_token_bad_signature``)."""

    code = "id_token_bad_signature"


class IdTokenIssuerMismatchError(IdTokenError):
    """The ID token's issuer is wrong (``id_token_issuer_mismatch``)."""

    code = "id_token_issuer_mismatch"


class IdTokenAudienceMismatchError(IdTokenError):
    """The ID token is not for this client (``id_token_audience_mismatch``)."""

    code = "id_token_audience_mismatch"


class IdTokenAzpMismatchError(IdTokenError):
    """The ID token's authorized party is another client (``id_token_azp_mismatch``)."""

    code = "id_token_azp_mismatch"


class IdTokenExpiredError(IdTokenError):
    """The ID token has expired (``id_token_expired``)."""

    code = "id_token_expired"


class IdTokenNotYetValidError(IdTokenError):
    """The ID token is not valid yet (``id_token_not_yet_valid``)."""

    code = "id_token_not_yet_valid"


class IdTokenIssuedInFutureError(IdTokenError):
    """The ID token was issued in the future (``id_token_issued_in_future``)."""

    code = "id_token_issued_in_future"


class IdTokenMissingClaimError(IdTokenError):
    """The ID token lacks a required claim (``id_token_missing_claim``)."""

    code = "id_token_missing_claim"


class IdTokenNonceMismatchError(IdTokenError):
    """The ID token's nonce is wrong (``id_token_nonce_mismatch``)."""

    code = "id_token_nonce_mismatch"


class IdTokenAtHashMismatchError(IdTokenError):
    """The ID token does not match the access token (``id_token_at_hash_mismatch``)."""

    code = "id_token_at_hash_mismatch"


class IdTokenSubjectMismatchError(IdTokenError):
    """A refresh returned an ID token for another user (``id_token_subject_mismatch``)."""

    code = "id_token_subject_mismatch"


class CancelledError(UpbondError):
    """The operation was cancelled (``cancelled``)."""

    code = "cancelled"


class StorageError(UpbondError):
    """Stored state could not be read or written (``storage_error``)."""

    code = "storage_error"


class NotSignedInError(UpbondError):
    """No session to take a token from (``not_signed_in``)."""

    code = "not_signed_in"


def _all_classes(cls: Type[UpbondError]) -> List[Type[UpbondError]]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_classes(sub))
    return found


_BY_CODE: Dict[str, Type[UpbondError]] = {
    c.code: c for c in _all_classes(UpbondError) if "code" in c.__dict__
}


def error_class(code: str) -> Type[UpbondError]:
    """The exception class of a catalog code (:class:`UpbondError` for an unknown one)."""
    return _BY_CODE.get(code, UpbondError)


def from_native(error: Any) -> UpbondError:
    """The Python exception for an error raised by the native module."""
    if isinstance(error, _native.UpbondError):
        e: Any = error.info  # every variant carries one UpbondErrorInfo
        retry_ms = e.retry_after_ms
        return error_class(e.code)(
            e.detail,
            code=e.code,
            causes=e.causes,
            resolution=e.resolution,
            retryable=e.retryable,
            reauthentication_required=e.reauthentication_required,
            retry_after=None if retry_ms is None else retry_ms / 1000,
            status=e.status,
            provider=e.provider,
            scope=e.scope,
        )
    return InternalError(str(error))
