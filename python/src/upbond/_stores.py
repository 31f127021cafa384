"""Token stores: where a session keeps its record between runs."""

from __future__ import annotations

import abc
import base64
from typing import Any, Optional

from ._call import call_sync
from ._native import upbond_ffi as _native


class TokenStore(abc.ABC):
    """Your own store for one session record (opaque bytes; the session versions them).

    Called on a worker thread, so it may block. ``save`` must replace the record atomically,
    ``load`` returns ``None`` only when nothing is stored. An exception becomes a
    ``StorageError`` of the call that needed the store.
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
    """Keeps the session in memory (forgotten when the process ends). The default."""


class FileStore:
    """The core's file store: owner-only file, atomic replace, locked across processes so
    that only one process refreshes at a time; AES-256-GCM encrypted with a 32-byte ``key``.
    """

    def __init__(self, path: str, key: Optional[bytes] = None) -> None:
        self.path = str(path)
        self.key = key

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


class _StoreBridge(_native.TokenStore):
    """Presents a :class:`TokenStore` to the native session."""

    def __init__(self, store: TokenStore) -> None:
        self._store = store

    def load(self) -> Optional[bytes]:
        data = self._store.load()
        return None if data is None else bytes(data)

    def save(self, record: bytes) -> None:
        self._store.save(bytes(record))

    def delete(self) -> None:
        self._store.delete()


def native_session(client: Any, store: Any) -> Any:
    """A native session of ``client`` over ``store`` (``None``: in memory)."""
    if store is None or isinstance(store, MemoryStore):
        return _native.Session.in_memory(client)
    if isinstance(store, FileStore):
        path, key = store.path, store.key
        return call_sync(lambda: _native.Session.in_file(client, path, key))
    if isinstance(store, TokenStore):
        return _native.Session(client, _StoreBridge(store))
    raise TypeError("store must be a MemoryStore, FileStore or TokenStore")
