"""``Client`` (blocking) and ``AsyncClient`` (asyncio): the UPBOND Login flows."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, Union

from . import _runner
from ._call import (
    MAX_ATTEMPTS,
    MAX_LEEWAY_SECS,
    call,
    call_sync,
    flag,
    instance,
    millis,
    optional_text,
    optional_whole,
    scopes as _scopes,
    switch,
    text,
)
from ._native import upbond_ffi as _native
from ._session import AsyncSession, Session
from ._types import (
    AuthorizationRequest,
    DeviceAuthorization,
    DoctorReport,
    MetricsSnapshot,
    PendingAuthorization,
    TokenSet,
    UserInfo,
    UserProfile,
)

Scopes = Union[str, Sequence[str], None]
CancelToken = _native.CancelToken

_KINDS = {
    "native": _native.ClientKind.NATIVE,
    "single_page": _native.ClientKind.SINGLE_PAGE,
    "confidential": _native.ClientKind.CONFIDENTIAL,
}
_AUTH_METHODS = {
    "client_secret_basic": _native.ClientAuthMethod.CLIENT_SECRET_BASIC,
    "client_secret_post": _native.ClientAuthMethod.CLIENT_SECRET_POST,
    "none": _native.ClientAuthMethod.NO_CLIENT_AUTH,
}
_HINTS = {
    "access_token": _native.TokenTypeHint.ACCESS_TOKEN,
    "refresh_token": _native.TokenTypeHint.REFRESH_TOKEN,
}
_PROVIDERS = {p.name.lower(): p for p in _native.SocialProvider}


def _choice(table: Mapping[str, Any], value: Optional[str], what: str) -> Any:
    """The table's entry for ``value`` (``None`` stays ``None``); anything else is a
    ``ValueError`` naming the valid choices."""
    if value is None:
        return None
    if isinstance(value, str) and value in table:
        return table[value]
    raise ValueError(f"{what} must be one of {sorted(table)}")


def _pairs(params: Optional[Mapping[str, str]], name: str) -> list:
    """A mapping of ``str`` to ``str`` as native name and value pairs."""
    if params is None:
        return []
    if not isinstance(params, Mapping):
        raise TypeError(f"{name} must be a mapping of str to str, not {type(params).__name__}")
    return [[text(k, f"{name} names"), text(v, f"{name}[{k!r}]")] for k, v in params.items()]


def _platform(info: Union[Mapping[str, str], Callable[[], Mapping[str, str]]]) -> Any:
    class Platform(_native.PlatformInfo):
        def info(self) -> Dict[str, str]:
            return dict(info() if callable(info) else info)

    return Platform()


class _Observer(_native.MetricsObserver):
    def __init__(self, on_exchange: Optional[Callable[[Any], None]],
                 on_outcome: Optional[Callable[[Any], None]]) -> None:
        self._on_exchange = on_exchange
        self._on_outcome = on_outcome

    def on_http_exchange(self, exchange: Any) -> None:
        if self._on_exchange is not None:
            self._on_exchange(exchange)

    def on_auth_outcome(self, outcome: Any) -> None:
        if self._on_outcome is not None:
            self._on_outcome(outcome)


class AsyncClient:
    """An UPBOND Login client for asyncio. Share one per issuer and client ID.

    ``client_secret`` makes it a confidential client (service, back end); without it, it is
    a public native app. Timeouts are in seconds (0.001 to 86400), ``clock_leeway`` in whole
    seconds (0 to 86400). ``max_attempts`` (1 to 100) counts retries too: ``1`` turns them
    off; ``rate_budgets=False`` turns the client-side request budgets off. An argument of the
    wrong type raises ``TypeError``, a value out of range (or a string with a NUL character)
    ``ValueError``; a configuration the platform rules forbid raises ``ConfigError``.
    """

    def __init__(
        self,
        issuer: str,
        client_id: str,
        *,
        client_secret: Optional[str] = None,
        kind: Optional[str] = None,
        auth_method: Optional[str] = None,
        redirect_uri: Optional[str] = None,
        post_logout_redirect_uri: Optional[str] = None,
        scopes: Scopes = None,
        connect_timeout: Optional[float] = None,
        request_timeout: Optional[float] = None,
        clock_leeway: Optional[int] = None,
        max_attempts: Optional[int] = None,
        rate_budgets: Optional[bool] = None,
    ) -> None:
        config = _native.ClientConfig(
            issuer=text(issuer, "issuer"),
            client_id=text(client_id, "client_id"),
            client_secret=optional_text(client_secret, "client_secret"),
            kind=_choice(_KINDS, kind, "kind"),
            auth_method=_choice(_AUTH_METHODS, auth_method, "auth_method"),
            redirect_uri=optional_text(redirect_uri, "redirect_uri"),
            post_logout_redirect_uri=optional_text(
                post_logout_redirect_uri, "post_logout_redirect_uri"
            ),
            scopes=None if scopes is None else _scopes(scopes),
            connect_timeout_ms=millis(connect_timeout, "connect_timeout"),
            request_timeout_ms=millis(request_timeout, "request_timeout"),
            clock_leeway_secs=optional_whole(clock_leeway, "clock_leeway", 0, MAX_LEEWAY_SECS),
            max_attempts=optional_whole(max_attempts, "max_attempts", 1, MAX_ATTEMPTS),
            rate_budgets=flag(rate_budgets, "rate_budgets"),
        )
        self._native = call_sync(lambda: _native.Client(config))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.issuer!r}, {self.client_id!r})"

    @property
    def issuer(self) -> str:
        """The configured issuer."""
        return self._native.issuer()

    @property
    def client_id(self) -> str:
        """The configured client ID."""
        return self._native.client_id()

    @property
    def clock_skew(self) -> Optional[int]:
        """Server clock minus local clock (seconds), once measured."""
        return self._native.clock_skew_secs()

    def metrics(self) -> MetricsSnapshot:
        """This client's metrics since it was created."""
        return MetricsSnapshot._from_native(self._native.metrics())

    def support_report(self) -> Dict[str, Any]:
        """A redacted report of recent activity, for support requests."""
        return json.loads(self._native.support_report())

    def set_platform_info(
        self, info: Union[Mapping[str, str], Callable[[], Mapping[str, str]]]
    ) -> None:
        """Platform details (OS, app version ...) for the support report; never secrets."""
        call_sync(lambda: self._native.set_platform_info(_platform(info)))

    def set_metrics_observer(
        self,
        on_http_exchange: Optional[Callable[[Any], None]] = None,
        on_auth_outcome: Optional[Callable[[Any], None]] = None,
    ) -> None:
        """Calls these (on an SDK thread) after every HTTP attempt and every sign-in or
        refresh; with neither, removes the observer."""
        observer = None
        if on_http_exchange is not None or on_auth_outcome is not None:
            observer = _Observer(on_http_exchange, on_auth_outcome)
        self._native.set_metrics_observer(observer)

    def session(self, store: Any = None) -> AsyncSession:
        """A session of this client's user in ``store`` (default: in memory)."""
        return AsyncSession(self, store)

    async def discover(self) -> Dict[str, Any]:
        """The issuer's discovery document (cached after the first call)."""
        return json.loads(await call(self._native.discover()))

    async def begin_authorization(
        self,
        *,
        scopes: Scopes = None,
        provider: Optional[str] = None,
        login_hint: Optional[str] = None,
        prompt: Optional[str] = None,
        extra_params: Optional[Mapping[str, str]] = None,
    ) -> AuthorizationRequest:
        """The authorization URL (PKCE, state, nonce) and the pending request to keep.
        ``provider`` goes straight to a social login: kakao, whatsapp, wechat, telegram,
        line or google."""
        options = _native.AuthorizationOptions(
            scopes=_scopes(scopes),
            provider=_choice(
                _PROVIDERS, provider.lower() if isinstance(provider, str) else provider,
                "provider",
            ),
            login_hint=optional_text(login_hint, "login_hint"),
            prompt=optional_text(prompt, "prompt"),
            extra_params=_pairs(extra_params, "extra_params"),
        )
        request = await call(self._native.begin_authorization(options))
        return AuthorizationRequest(
            request.url, PendingAuthorization._from_native(request.pending)
        )

    async def complete_authorization(
        self, pending: PendingAuthorization, callback_url: str
    ) -> TokenSet:
        """Checks the callback URL against ``pending`` and exchanges the code for tokens."""
        native = instance(pending, PendingAuthorization, "pending")._to_native()
        callback_url = text(callback_url, "callback_url")
        tokens = await call(self._native.complete_authorization(native, callback_url))
        return TokenSet._from_native(tokens)

    async def start_device_authorization(self, scopes: Scopes = None) -> DeviceAuthorization:
        """Starts a device login: show the ``user_code`` and ``verification_uri``."""
        device = await call(self._native.start_device_authorization(_scopes(scopes)))
        return DeviceAuthorization._from_native(device)

    async def poll_device_authorization(
        self, device: DeviceAuthorization, *, cancel: Optional[CancelToken] = None
    ) -> TokenSet:
        """Waits until the user approves (tokens) or denies, or the code expires (errors).
        Cancel the task, or call ``cancel.cancel()``, to stop (``CancelledError``)."""
        native = instance(device, DeviceAuthorization, "device")._to_native()
        if cancel is not None:
            instance(cancel, CancelToken, "cancel")
        tokens = await call(self._native.poll_device_authorization(native, cancel))
        return TokenSet._from_native(tokens)

    async def client_credentials(self, scopes: Scopes = None) -> TokenSet:
        """Tokens for the client itself (confidential clients)."""
        return TokenSet._from_native(
            await call(self._native.client_credentials(_scopes(scopes)))
        )

    async def refresh(self, refresh_token: str) -> TokenSet:
        """New tokens for a refresh token (the old one is kept if none comes back)."""
        refresh_token = text(refresh_token, "refresh_token")
        return TokenSet._from_native(await call(self._native.refresh(refresh_token)))

    async def revoke(self, token: str, *, hint: Optional[str] = None) -> None:
        """Revokes a token; ``hint`` is ``"access_token"`` or ``"refresh_token"``."""
        await call(self._native.revoke(text(token, "token"), _choice(_HINTS, hint, "hint")))

    async def logout_url(
        self,
        *,
        id_token_hint: Optional[str] = None,
        post_logout_redirect_uri: Optional[str] = None,
        state: Optional[str] = None,
    ) -> str:
        """The URL that ends the session at the issuer."""
        options = _native.LogoutOptions(
            id_token_hint=optional_text(id_token_hint, "id_token_hint"),
            post_logout_redirect_uri=optional_text(
                post_logout_redirect_uri, "post_logout_redirect_uri"
            ),
            state=optional_text(state, "state"),
        )
        return await call(self._native.logout_url(options))

    async def userinfo(
        self, access_token: str, *, expected_subject: Optional[str] = None, jwt: bool = False
    ) -> UserInfo:
        """The user's claims; ``jwt=True`` asks for a signed answer and validates it."""
        access_token = text(access_token, "access_token")
        expected_subject = optional_text(expected_subject, "expected_subject")
        info = await call(self._native.userinfo(access_token, expected_subject, switch(jwt, "jwt")))
        return UserInfo._from_native(info)

    async def user_profile(self, access_token: str, user_id: str) -> UserProfile:
        """The profile of ``user_id`` (the ``sub``), with that user's access token."""
        access_token, user_id = text(access_token, "access_token"), text(user_id, "user_id")
        return UserProfile._from_native(
            await call(self._native.user_profile(access_token, user_id))
        )

    async def resend_verification_email(self, access_token: str, user_id: str) -> None:
        """Sends the verification email again."""
        access_token, user_id = text(access_token, "access_token"), text(user_id, "user_id")
        await call(self._native.resend_verification_email(access_token, user_id))

    async def change_email(
        self, access_token: str, user_id: str, new_email: str, current_password: str
    ) -> None:
        """Starts an email change (a wrong password raises ``EmailPasswordRejectedError``);
        finish with :meth:`verify_email` and the code sent to the new address."""
        await call(self._native.change_email(
            text(access_token, "access_token"), text(user_id, "user_id"),
            text(new_email, "new_email"), text(current_password, "current_password"),
        ))

    async def verify_email(self, access_token: str, user_id: str, code: str) -> None:
        """Completes an email verification or change with the code from the email."""
        await call(self._native.verify_email(
            text(access_token, "access_token"), text(user_id, "user_id"), text(code, "code"),
        ))

    async def doctor(self) -> DoctorReport:
        """Diagnoses the issuer: DNS, TCP, TLS, discovery, JWKS, clock skew, response time."""
        return DoctorReport._from_native(await self._native.doctor())


class Client:
    """An UPBOND Login client with blocking calls (thread-safe). ``client.aio`` is its
    asyncio twin sharing the same connection pool and caches. Arguments as
    :class:`AsyncClient`."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        *,
        client_secret: Optional[str] = None,
        kind: Optional[str] = None,
        auth_method: Optional[str] = None,
        redirect_uri: Optional[str] = None,
        post_logout_redirect_uri: Optional[str] = None,
        scopes: Scopes = None,
        connect_timeout: Optional[float] = None,
        request_timeout: Optional[float] = None,
        clock_leeway: Optional[int] = None,
        max_attempts: Optional[int] = None,
        rate_budgets: Optional[bool] = None,
    ) -> None:
        self.aio = AsyncClient(
            issuer, client_id, client_secret=client_secret, kind=kind, auth_method=auth_method,
            redirect_uri=redirect_uri, post_logout_redirect_uri=post_logout_redirect_uri,
            scopes=scopes, connect_timeout=connect_timeout, request_timeout=request_timeout,
            clock_leeway=clock_leeway, max_attempts=max_attempts, rate_budgets=rate_budgets,
        )

    def __repr__(self) -> str:
        return f"Client({self.issuer!r}, {self.client_id!r})"

    @property
    def issuer(self) -> str:
        """The configured issuer."""
        return self.aio.issuer

    @property
    def client_id(self) -> str:
        """The configured client ID."""
        return self.aio.client_id

    @property
    def clock_skew(self) -> Optional[int]:
        """Server clock minus local clock (seconds), once measured."""
        return self.aio.clock_skew

    def metrics(self) -> MetricsSnapshot:
        """This client's metrics since it was created."""
        return self.aio.metrics()

    def support_report(self) -> Dict[str, Any]:
        """A redacted report of recent activity, for support requests."""
        return self.aio.support_report()

    def set_platform_info(
        self, info: Union[Mapping[str, str], Callable[[], Mapping[str, str]]]
    ) -> None:
        """Platform details (OS, app version ...) for the support report; never secrets."""
        self.aio.set_platform_info(info)

    def set_metrics_observer(
        self,
        on_http_exchange: Optional[Callable[[Any], None]] = None,
        on_auth_outcome: Optional[Callable[[Any], None]] = None,
    ) -> None:
        """See :meth:`AsyncClient.set_metrics_observer`."""
        self.aio.set_metrics_observer(on_http_exchange, on_auth_outcome)

    def session(self, store: Any = None) -> Session:
        """A session of this client's user in ``store`` (default: in memory)."""
        return Session(self.aio.session(store))

    def discover(self) -> Dict[str, Any]:
        """The issuer's discovery document (cached after the first call)."""
        return _runner.run(self.aio.discover)

    def begin_authorization(
        self,
        *,
        scopes: Scopes = None,
        provider: Optional[str] = None,
        login_hint: Optional[str] = None,
        prompt: Optional[str] = None,
        extra_params: Optional[Mapping[str, str]] = None,
    ) -> AuthorizationRequest:
        """See :meth:`AsyncClient.begin_authorization`."""
        return _runner.run(lambda: self.aio.begin_authorization(
            scopes=scopes, provider=provider, login_hint=login_hint, prompt=prompt,
            extra_params=extra_params,
        ))

    def complete_authorization(self, pending: PendingAuthorization, callback_url: str) -> TokenSet:
        """Checks the callback URL against ``pending`` and exchanges the code for tokens."""
        return _runner.run(lambda: self.aio.complete_authorization(pending, callback_url))

    def start_device_authorization(self, scopes: Scopes = None) -> DeviceAuthorization:
        """Starts a device login: show the ``user_code`` and ``verification_uri``."""
        return _runner.run(lambda: self.aio.start_device_authorization(scopes))

    def poll_device_authorization(
        self, device: DeviceAuthorization, *, cancel: Optional[CancelToken] = None
    ) -> TokenSet:
        """Blocks until the user approves or denies, the code expires, or ``cancel`` is
        cancelled from another thread (``CancelledError``)."""
        return _runner.run(lambda: self.aio.poll_device_authorization(device, cancel=cancel))

    def client_credentials(self, scopes: Scopes = None) -> TokenSet:
        """Tokens for the client itself (confidential clients)."""
        return _runner.run(lambda: self.aio.client_credentials(scopes))

    def refresh(self, refresh_token: str) -> TokenSet:
        """New tokens for a refresh token (the old one is kept if none comes back)."""
        return _runner.run(lambda: self.aio.refresh(refresh_token))

    def revoke(self, token: str, *, hint: Optional[str] = None) -> None:
        """Revokes a token; ``hint`` is ``"access_token"`` or ``"refresh_token"``."""
        _runner.run(lambda: self.aio.revoke(token, hint=hint))

    def logout_url(
        self,
        *,
        id_token_hint: Optional[str] = None,
        post_logout_redirect_uri: Optional[str] = None,
        state: Optional[str] = None,
    ) -> str:
        """The URL that ends the session at the issuer."""
        return _runner.run(lambda: self.aio.logout_url(
            id_token_hint=id_token_hint, post_logout_redirect_uri=post_logout_redirect_uri,
            state=state,
        ))

    def userinfo(
        self, access_token: str, *, expected_subject: Optional[str] = None, jwt: bool = False
    ) -> UserInfo:
        """The user's claims; ``jwt=True`` asks for a signed answer and validates it."""
        return _runner.run(lambda: self.aio.userinfo(
            access_token, expected_subject=expected_subject, jwt=jwt
        ))

    def user_profile(self, access_token: str, user_id: str) -> UserProfile:
        """The profile of ``user_id`` (the ``sub``), with that user's access token."""
        return _runner.run(lambda: self.aio.user_profile(access_token, user_id))

    def resend_verification_email(self, access_token: str, user_id: str) -> None:
        """Sends the verification email again."""
        _runner.run(lambda: self.aio.resend_verification_email(access_token, user_id))

    def change_email(
        self, access_token: str, user_id: str, new_email: str, current_password: str
    ) -> None:
        """Starts an email change (a wrong password raises ``EmailPasswordRejectedError``);
        finish with :meth:`verify_email` and the code sent to the new address."""
        _runner.run(lambda: self.aio.change_email(
            access_token, user_id, new_email, current_password
        ))

    def verify_email(self, access_token: str, user_id: str, code: str) -> None:
        """Completes an email verification or change with the code from the email."""
        _runner.run(lambda: self.aio.verify_email(access_token, user_id, code))

    def doctor(self) -> DoctorReport:
        """Diagnoses the issuer: DNS, TCP, TLS, discovery, JWKS, clock skew, response time."""
        return _runner.run(self.aio.doctor)


__all__: Tuple[str, ...] = ("AsyncClient", "Client", "CancelToken")
