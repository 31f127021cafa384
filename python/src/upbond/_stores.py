"""Token stores: where a session keeps its record between runs."""

from __future__ import annotations

import abc
import base64
import os
import threading
from typing import Any, Callable, Optional, Tuple, TypeVar, Union

from ._call import call_sync, text
from ._native import upbond_ffi as _native


class TokenStore(abc.ABC):
    """Your own store for one session record (opaque bytes; the session versions them).

    Called on a worker thread, so it may block, but it must not call the session it belongs
    to (the nested call would wait forever for the one using the store). ``save`` must replace the
    record atomically; ``load`` returns ``bytes`` (or a ``bytearray`` or ``memoryview``), and
    ``None`` only when nothing is stored: anything else is a ``StorageError``. An exception
    becomes a ``StorageError`` of the call that needed the store, naming the method and the
    exception. ``KeyboardInterrupt`` and ``SystemExit`` are raised as themselves by that call.
    """

    @abc.abstractmethod
    def load(self) -> Optional[bytes]:
        """The stored bytes, or ``None``."""

    @abc.abstractmethod
    def save(self, record: bytes) -> None:
        """Atomically replaces the stored record."""

    @abc.abstractmethod
    def delete(self) -> None:
        """Removes the stored record; succeeds when there was none."""


class MemoryStore:
    """Keeps the session in memory (forgotten when the process ends). The default.

    One process only: in a forked child a refresh, sign-in or sign-out of a session copied
    from the parent raises ``StorageError`` (a refresh there would sign the parent out); share
    a session between processes with a :class:`FileStore`."""


class FileStore:
    """The core's file store: owner-only file, atomic replace, locked across processes so
    that only one process refreshes at a time (waiting up to 30 s for another holder, then
    ``StorageError``); AES-256-GCM encrypted with a 32-byte ``key``. Only a regular file of at
    most 1 MiB is read.

    ``path`` is a ``str`` or an ``os.PathLike`` of ``str`` (a ``bytes`` path is a
    ``TypeError``); it must be UTF-8 text (no lone surrogate, as ``os.fsdecode`` gives for a
    name in another encoding) without a NUL character, else ``ValueError``.
    """

    def __init__(self, path: Union[str, os.PathLike[str]], key: Optional[bytes] = None) -> None:
        fspath = os.fspath(path) if isinstance(path, os.PathLike) else path
        if not isinstance(fspath, str):
            raise TypeError(
                f"path must be a str or os.PathLike of str, not {type(fspath).__name__}"
            )
        if key is not None and not isinstance(key, (bytes, bytearray, memoryview)):
            raise TypeError(f"key must be bytes or None, not {type(key).__name__}")
        self.path = text(fspath, "path")
        if not self.path:
            raise ValueError("path must not be empty")
        self.key = None if key is None else bytes(key)
        if self.key is not None and len(self.key) != 32:
            raise ValueError(f"key must be 32 bytes (AES-256), not {len(self.key)}")

    def __repr__(self) -> str:
        return f"FileStore({self.path!r}, encrypted={self.key is not None})"


class KeyringStore(TokenStore):
    """Keeps the session in the system keyring (``pip install upbond[keyring]``)."""

    def __init__(self, service: str = "upbond-login", username: str = "session") -> None:
        try:
            import keyring  # optional dependency: imported only when this store is used
        except ModuleNotFoundError:
            raise ModuleNotFoundError(
                'KeyringStore needs the keyring package: pip install "upbond[keyring]"',
                name="keyring",
            ) from None

        self._keyring: Any = keyring
        self.service = service
        self.username = username

    def load(self) -> Optional[bytes]:
        text = self._keyring.get_password(self.service, self.username)
        return None if text is None else base64.b64decode(text)

    def save(self, record: bytes) -> None:
        self._keyring.set_password(
            self.service, self.username, base64.b64encode(record).decode("ascii")
        )

    def delete(self) -> None:
        if self._keyring.get_password(self.service, self.username) is not None:
            self._keyring.delete_password(self.service, self.username)


T = TypeVar("T")


class _StandIn(Exception):
    """Goes to the native side, which shows an exception as its ``repr``, in place of one it
    cannot carry: a ``KeyboardInterrupt`` or ``SystemExit`` of the app's store (the session
    call re-raises the original), or an exception whose ``repr`` fails."""

    def __init__(self, shown: str) -> None:
        super().__init__()
        self.shown = shown

    def __repr__(self) -> str:
        return self.shown


class _StoreBridge(_native.TokenStore):
    """Presents a :class:`TokenStore` to the native session. An ``Exception`` of the store
    goes to the native side as is, or as its type name when its ``repr`` fails; a
    ``KeyboardInterrupt`` or ``SystemExit`` is kept for :meth:`take_raised` and replaced by a
    stand-in."""

    def __init__(self, store: TokenStore) -> None:
        self._store = store
        self._raised: Optional[BaseException] = None
        self._lock = threading.Lock()

    def _call(self, method: Callable[[], T]) -> T:
        try:
            return method()
        except Exception as e:
            try:
                repr(e)
            except Exception:
                raise _StandIn(type(e).__name__) from None
            raise
        except BaseException as e:
            with self._lock:
                self._raised = e
            raise _StandIn(repr(e)) from None

    def take_raised(self) -> Optional[BaseException]:
        """The ``KeyboardInterrupt`` or ``SystemExit`` the store raised since the last call,
        once."""
        with self._lock:
            raised, self._raised = self._raised, None
        return raised

    def load(self) -> Optional[bytes]:
        data = self._call(self._store.load)
        if data is None:
            return None
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                "load() must return bytes, bytearray, memoryview or None, "
                f"not {type(data).__name__}"
            )
        return bytes(data)

    def save(self, record: bytes) -> None:
        self._call(lambda: self._store.save(bytes(record)))

    def delete(self) -> None:
        self._call(self._store.delete)


def native_session(client: Any, store: Any) -> Tuple[Any, Optional[_StoreBridge]]:
    """A native session of ``client`` over ``store`` (``None``: in memory), and the bridge to
    the app's store when it is one."""
    if store is None or isinstance(store, MemoryStore):
        return _native.Session.in_memory(client), None
    if isinstance(store, FileStore):
        path, key = store.path, store.key
        return call_sync(lambda: _native.Session.in_file(client, path, key)), None
    if isinstance(store, TokenStore):
        bridge = _StoreBridge(store)
        return _native.Session(client, bridge), bridge
    raise TypeError(
        f"store must be None, a MemoryStore, FileStore or TokenStore, not {type(store).__name__}"
    )
