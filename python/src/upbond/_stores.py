"""Token stores: where a session keeps its record between runs."""

from __future__ import annotations

import abc
import base64
import os
import threading
from typing import Any, Callable, Optional, Tuple, TypeVar, Union

from ._call import call_sync
from ._native import upbond_ffi as _native


class TokenStore(abc.ABC):
    """Your own store for one session record (opaque bytes; the session versions them).

    Called on a worker thread, so it may block. ``save`` must replace the record atomically,
    ``load`` returns ``None`` only when nothing is stored. An exception becomes a
    ``StorageError`` of the call that needed the store, naming the method and the exception.
    ``KeyboardInterrupt`` and ``SystemExit`` are raised as themselves by that call.
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
    """

    def __init__(self, path: Union[str, os.PathLike], key: Optional[bytes] = None) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or os.PathLike, not {type(path).__name__}")
        if key is not None and not isinstance(key, (bytes, bytearray, memoryview)):
            raise TypeError(f"key must be bytes or None, not {type(key).__name__}")
        self.path = os.fsdecode(path)
        if not self.path:
            raise ValueError("path must not be empty")
        self.key = None if key is None else bytes(key)

    def __repr__(self) -> str:
        return f"FileStore({self.path!r}, encrypted={self.key is not None})"


class KeyringStore(TokenStore):
    """Keeps the session in the system keyring (``pip install upbond[keyring]``)."""

    def __init__(self, service: str = "upbond-login", username: str = "session") -> None:
        import keyring  # optional dependency: imported only when this store is used

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


class _Raised(Exception):
    """Stands in, on the native side, for a ``KeyboardInterrupt`` or ``SystemExit`` of the
    app's store; the session call re-raises the original."""

    def __init__(self, original: BaseException) -> None:
        super().__init__()
        self.original = original

    def __repr__(self) -> str:
        return repr(self.original)


class _StoreBridge(_native.TokenStore):
    """Presents a :class:`TokenStore` to the native session. An ``Exception`` of the store
    goes to the native side as is; a ``KeyboardInterrupt`` or ``SystemExit`` (which the native
    side cannot carry) is kept for :meth:`take_raised` and replaced by a stand-in."""

    def __init__(self, store: TokenStore) -> None:
        self._store = store
        self._raised: Optional[BaseException] = None
        self._lock = threading.Lock()

    def _call(self, method: Callable[[], T]) -> T:
        try:
            return method()
        except Exception:
            raise
        except BaseException as e:
            with self._lock:
                self._raised = e
            raise _Raised(e) from None

    def take_raised(self) -> Optional[BaseException]:
        """The ``KeyboardInterrupt`` or ``SystemExit`` the store raised since the last call,
        once."""
        with self._lock:
            raised, self._raised = self._raised, None
        return raised

    def load(self) -> Optional[bytes]:
        data = self._call(self._store.load)
        return None if data is None else bytes(data)

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
    raise TypeError("store must be a MemoryStore, FileStore or TokenStore")
