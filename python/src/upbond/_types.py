"""Plain data returned by the client: tokens, device authorizations, pending requests, user
information, metrics and doctor reports. Secrets are left out of ``repr``."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, TypeVar

from ._call import instance, optional_text, optional_whole, text as _text, texts, whole
from ._native import upbond_ffi as _native

T = TypeVar("T")


def _field(obj: object, name: str, check: Callable[..., T]) -> T:
    """The field ``name`` of the dataclass ``obj`` checked by ``check``, whose error names it
    ``Class.name``: a dataclass the app built itself may hold anything."""
    return check(getattr(obj, name), f"{type(obj).__name__}.{name}")


def _json_object(value: object, name: str) -> str:
    """A ``dict`` of JSON values as JSON text."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, not {type(value).__name__}")
    try:
        dumped = json.dumps(dict(value), allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as e:  # not JSON, a cycle, NaN or infinity
        raise type(e)(f"{name} must hold only JSON values (finite numbers, no cycles)") from None
    return _text(dumped, name)


@dataclass(frozen=True)
class IdTokenClaims:
    """Claims of a validated ID token."""

    issuer: str
    subject: str
    audience: List[str]
    expires_at: int
    issued_at: int
    auth_time: Optional[int]
    nonce: Optional[str]
    #: Every claim as received (email, name, ...).
    claims: Dict[str, Any]

    @classmethod
    def _from_native(cls, c: Any) -> "IdTokenClaims":
        return cls(
            c.issuer,
            c.subject,
            list(c.audience),
            c.expires_at,
            c.issued_at,
            c.auth_time,
            c.nonce,
            json.loads(c.claims_json),
        )

    def _to_native(self) -> Any:
        return _native.IdTokenClaims(
            issuer=_field(self, "issuer", _text),
            subject=_field(self, "subject", _text),
            audience=_field(self, "audience", texts),
            expires_at=_field(self, "expires_at", whole),
            issued_at=_field(self, "issued_at", whole),
            auth_time=_field(self, "auth_time", optional_whole),
            nonce=_field(self, "nonce", optional_text),
            claims_json=_field(self, "claims", _json_object),
        )


def _native_claims(value: object, name: str) -> Any:
    """``None``, or the native form of the ``IdTokenClaims`` ``value``."""
    return None if value is None else instance(value, IdTokenClaims, name)._to_native()


@dataclass(frozen=True)
class TokenSet:
    """The tokens of one successful grant (Bearer). Tokens are hidden from ``repr``."""

    access_token: str = field(repr=False)
    #: When the access token expires (Unix seconds), if known.
    expires_at: Optional[int] = None
    refresh_token: Optional[str] = field(default=None, repr=False)
    id_token: Optional[str] = field(default=None, repr=False)
    id_token_claims: Optional[IdTokenClaims] = None
    #: Granted scopes, when the issuer listed them.
    scopes: Optional[List[str]] = None

    @property
    def token_type(self) -> str:
        """Always ``"Bearer"``."""
        return "Bearer"

    @property
    def expires_in(self) -> Optional[float]:
        """Seconds until the access token expires (0 when expired), if known."""
        if self.expires_at is None:
            return None
        return max(0.0, self.expires_at - time.time())

    @classmethod
    def _from_native(cls, t: Any) -> "TokenSet":
        claims = t.id_token_claims
        return cls(
            access_token=t.access_token,
            expires_at=t.expires_at,
            refresh_token=t.refresh_token,
            id_token=t.id_token,
            id_token_claims=None if claims is None else IdTokenClaims._from_native(claims),
            scopes=None if t.scopes is None else list(t.scopes),
        )

    def _to_native(self) -> Any:
        return _native.TokenSet(
            access_token=_field(self, "access_token", _text),
            expires_at=_field(self, "expires_at", optional_whole),
            refresh_token=_field(self, "refresh_token", optional_text),
            id_token=_field(self, "id_token", optional_text),
            id_token_claims=_field(self, "id_token_claims", _native_claims),
            scopes=None if self.scopes is None else _field(self, "scopes", texts),
        )


@dataclass(frozen=True)
class DeviceAuthorization:
    """A started device authorization: show ``user_code`` and ``verification_uri``."""

    device_code: str = field(repr=False)
    user_code: str = ""
    verification_uri: str = ""
    verification_uri_complete: Optional[str] = None
    #: When the device code expires (Unix seconds).
    expires_at: int = 0
    #: Seconds between polls, as the issuer asked.
    interval: int = 5

    @classmethod
    def _from_native(cls, d: Any) -> "DeviceAuthorization":
        return cls(
            d.device_code,
            d.user_code,
            d.verification_uri,
            d.verification_uri_complete,
            d.expires_at,
            d.interval_secs,
        )

    def _to_native(self) -> Any:
        return _native.DeviceAuthorization(
            device_code=_field(self, "device_code", _text),
            user_code=_field(self, "user_code", _text),
            verification_uri=_field(self, "verification_uri", _text),
            verification_uri_complete=_field(self, "verification_uri_complete", optional_text),
            expires_at=_field(self, "expires_at", whole),
            interval_secs=_field(self, "interval", whole),
        )


@dataclass(frozen=True)
class PendingAuthorization:
    """An authorization between the browser and the callback. It holds the PKCE verifier:
    keep :meth:`to_json` private (it survives process death)."""

    state: str
    nonce: str
    code_verifier: str = field(repr=False)
    redirect_uri: str
    issuer: str
    client_id: str

    def to_json(self) -> str:
        """The request as JSON (the same format in every upbond-login language)."""
        return _native.pending_authorization_to_json(self._to_native())

    @classmethod
    def from_json(cls, text: str) -> "PendingAuthorization":
        """Reads :meth:`to_json` output; a malformed text raises ``StorageError``."""
        from ._errors import from_native

        try:
            native = _native.pending_authorization_from_json(_text(text, "text"))
        except _native.UpbondError as e:
            raise from_native(e) from None
        return cls._from_native(native)

    @classmethod
    def _from_native(cls, p: Any) -> "PendingAuthorization":
        return cls(p.state, p.nonce, p.code_verifier, p.redirect_uri, p.issuer, p.client_id)

    def _to_native(self) -> Any:
        return _native.PendingAuthorization(
            state=_field(self, "state", _text),
            nonce=_field(self, "nonce", _text),
            code_verifier=_field(self, "code_verifier", _text),
            redirect_uri=_field(self, "redirect_uri", _text),
            issuer=_field(self, "issuer", _text),
            client_id=_field(self, "client_id", _text),
        )


@dataclass(frozen=True)
class AuthorizationRequest:
    """The URL to open in the browser and the pending request to keep for the callback."""

    url: str
    pending: PendingAuthorization


@dataclass(frozen=True)
class UserInfo:
    """Claims about the signed-in user."""

    subject: str
    email: Optional[str]
    email_verified: Optional[bool]
    name: Optional[str]
    #: Every claim as received.
    claims: Dict[str, Any]

    @classmethod
    def _from_native(cls, u: Any) -> "UserInfo":
        return cls(u.subject, u.email, u.email_verified, u.name, json.loads(u.claims_json))


@dataclass(frozen=True)
class UserProfile:
    """A user's profile from the UPBOND user API."""

    id: str
    email: Optional[str]
    email_verified: Optional[bool]
    name: Optional[str]
    #: The whole profile as received.
    raw: Dict[str, Any]

    @classmethod
    def _from_native(cls, p: Any) -> "UserProfile":
        return cls(p.id, p.email, p.email_verified, p.name, json.loads(p.raw_json))


@dataclass(frozen=True)
class SessionRecord:
    """The stored session. Tokens are hidden from ``repr``."""

    issuer: str
    client_id: str
    access_token: str = field(repr=False)
    refresh_token: Optional[str] = field(repr=False)
    id_token: Optional[str] = field(repr=False)
    id_token_claims: Optional[IdTokenClaims]
    #: When the access token expires (Unix seconds, server clock).
    expires_at: Optional[int]
    scopes: List[str]
    #: Server clock minus local clock, in seconds.
    clock_offset: int

    @classmethod
    def _from_native(cls, r: Any) -> "SessionRecord":
        claims = r.id_token_claims
        return cls(
            r.issuer,
            r.client_id,
            r.access_token,
            r.refresh_token,
            r.id_token,
            None if claims is None else IdTokenClaims._from_native(claims),
            r.expires_at,
            list(r.scopes),
            r.clock_offset_secs,
        )


@dataclass(frozen=True)
class EndpointStats:
    """Latency figures of one endpoint (milliseconds)."""

    endpoint: str
    requests: int
    errors: int
    p50_ms: int
    p95_ms: int
    p99_ms: int
    max_ms: int


@dataclass(frozen=True)
class MetricsSnapshot:
    """A client's metrics since it was created."""

    requests: int
    failed_requests: int
    sign_ins: int
    sign_in_successes: int
    sign_in_success_rate: Optional[float]
    refreshes: int
    refresh_failures: int
    mean_refresh_interval_ms: Optional[int]
    errors_by_code: Dict[str, int]
    endpoints: List[EndpointStats]

    @classmethod
    def _from_native(cls, m: Any) -> "MetricsSnapshot":
        return cls(
            m.requests,
            m.failed_requests,
            m.sign_ins,
            m.sign_in_successes,
            m.sign_in_success_rate,
            m.refreshes,
            m.refresh_failures,
            m.mean_refresh_interval_ms,
            dict(m.errors_by_code),
            [
                EndpointStats(
                    e.endpoint, e.requests, e.errors, e.p50_ms, e.p95_ms, e.p99_ms, e.max_ms
                )
                for e in m.endpoints
            ],
        )


@dataclass(frozen=True)
class DoctorCheck:
    """One diagnosis step; ``status`` is ``"pass"``, ``"warn"`` or ``"fail"``."""

    name: str
    status: str
    detail: str
    fix: Optional[str]


@dataclass(frozen=True)
class DoctorReport:
    """Every check that ran, in order, and the worst ``status``."""

    issuer: str
    status: str
    checks: List[DoctorCheck]

    @classmethod
    def _from_native(cls, r: Any) -> "DoctorReport":
        return cls(
            r.issuer,
            r.status.name.lower(),
            [DoctorCheck(c.name, c.status.name.lower(), c.detail, c.fix) for c in r.checks],
        )


@dataclass(frozen=True)
class CatalogEntry:
    """What an error code means and what to do about it."""

    code: str
    title: str
    causes: List[str]
    resolution: List[str]
    retryable: bool
    reauthentication_required: bool


def explain(code: str) -> Optional[CatalogEntry]:
    """The catalog entry of ``code`` (case-insensitive), or ``None``."""
    e = _native.explain(_text(code, "code"))
    return None if e is None else _entry(e)


def catalog() -> List[CatalogEntry]:
    """Every catalog entry."""
    return [_entry(e) for e in _native.catalog()]


def _entry(e: Any) -> CatalogEntry:
    return CatalogEntry(
        e.code, e.title, list(e.causes), list(e.resolution), e.retryable,
        e.reauthentication_required,
    )


def normalize_user_code(code: str) -> str:
    """``" abcd efgh"`` becomes ``"ABCD-EFGH"``; a malformed code raises
    ``InvalidUserCodeError``."""
    from ._errors import from_native

    try:
        return _native.normalize_user_code(_text(code, "code"))
    except _native.UpbondError as e:
        raise from_native(e) from None
