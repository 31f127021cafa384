"""``Session`` and ``AsyncSession``: one signed-in user, refreshed once for all callers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Optional, TypeVar

from . import _runner
from ._call import MAX_MIN_TTL_SECS, call, instance, whole
from ._errors import StorageError
from ._native import upbond_ffi as _native
from ._stores import native_session
from ._types import SessionRecord, TokenSet

if TYPE_CHECKING:
    from ._client import AsyncClient

T = TypeVar("T")

#: Event names given to a session listener.
_EVENTS = {
    _native.SessionEvent.SIGNED_IN: "signed_in",
    _native.SessionEvent.REFRESHED: "refreshed",
    _native.SessionEvent.SIGNED_OUT: "signed_out",
    _native.SessionEvent.REAUTHENTICATION_REQUIRED: "reauthentication_required",
}


@dataclass(frozen=True)
class SignOut:
    """What a sign-out did; the local session is gone in any case."""

    #: A session was stored and is now removed.
    removed: bool
    #: The issuer confirmed the revocation: the tokens no longer work.
    revoked: bool
    #: The error code of a failed revocation (the tokens stay valid until they expire).
    revocation_error: Optional[str]


class _Listener(_native.SessionListener):
    def __init__(self, callback: Callable[[str], None]) -> None:
        self._callback = callback

    def on_event(self, event: Any) -> None:
        self._callback(_EVENTS[event])


class AsyncSession:
    """A signed-in user for asyncio: :meth:`access_token` returns a valid token, refreshing
    when needed; concurrent callers share one refresh. Kept in a store (``MemoryStore``,
    ``FileStore``, ``KeyringStore`` or your own ``TokenStore``)."""

    def __init__(self, client: "AsyncClient", store: Any = None) -> None:
        self.client = client
        self._native, self._bridge = native_session(client._native, store)

    async def _call(self, awaitable: Awaitable[T]) -> T:
        """The native call's result; a ``KeyboardInterrupt`` or ``SystemExit`` of the app's
        store is raised as itself instead of its ``StorageError``."""
        try:
            return await call(awaitable)
        except StorageError:
            raised = None if self._bridge is None else self._bridge.take_raised()
            if raised is not None:
                raise raised from None
            raise

    def on_event(self, callback: Optional[Callable[[str], None]]) -> None:
        """Calls ``callback`` (on an SDK thread) with ``"signed_in"``, ``"refreshed"``,
        ``"signed_out"`` or ``"reauthentication_required"``; ``None`` removes it."""
        self._native.set_listener(None if callback is None else _Listener(callback))

    async def sign_in(self, tokens: TokenSet) -> None:
        """Stores the tokens of a sign-in, replacing any stored session."""
        native = instance(tokens, TokenSet, "tokens")._to_native()
        await self._call(self._native.sign_in(native))

    async def access_token(self, min_ttl: int = 60) -> str:
        """An access token valid for at least ``min_ttl`` seconds (an ``int`` from 0 to
        86400), refreshed when needed."""
        min_ttl = whole(min_ttl, "min_ttl", 0, MAX_MIN_TTL_SECS)
        return await self._call(self._native.access_token(min_ttl))

    async def record(self) -> Optional[SessionRecord]:
        """The stored session, or ``None`` when signed out."""
        record = await self._call(self._native.record())
        return None if record is None else SessionRecord._from_native(record)

    async def refresh(self) -> str:
        """Refreshes now, whatever the token's lifetime; returns the new access token."""
        return await self._call(self._native.refresh())

    async def sign_out(self) -> SignOut:
        """Clears the store, then revokes the tokens at the issuer. Only a failure to clear
        the store raises; the result says whether the issuer revoked the tokens."""
        done = await self._call(self._native.sign_out())
        return SignOut(done.removed, done.revoked, done.revocation_error)


class Session:
    """The blocking twin of :class:`AsyncSession` (thread-safe); ``session.aio`` is the
    asyncio one."""

    def __init__(self, aio: AsyncSession) -> None:
        self.aio = aio

    def on_event(self, callback: Optional[Callable[[str], None]]) -> None:
        """See :meth:`AsyncSession.on_event`."""
        self.aio.on_event(callback)

    def sign_in(self, tokens: TokenSet) -> None:
        """Stores the tokens of a sign-in, replacing any stored session."""
        _runner.run(lambda: self.aio.sign_in(tokens))

    def access_token(self, min_ttl: int = 60) -> str:
        """See :meth:`AsyncSession.access_token`."""
        return _runner.run(lambda: self.aio.access_token(min_ttl))

    def record(self) -> Optional[SessionRecord]:
        """The stored session, or ``None`` when signed out."""
        return _runner.run(self.aio.record)

    def refresh(self) -> str:
        """Refreshes now, whatever the token's lifetime; returns the new access token."""
        return _runner.run(self.aio.refresh)

    def sign_out(self) -> SignOut:
        """Clears the store, then revokes the tokens at the issuer; see
        :meth:`AsyncSession.sign_out`."""
        return _runner.run(self.aio.sign_out)
