"""Sessions over every store: memory, the core's file store, keyring, and the app's own."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import keyring
import keyring.backend
import pytest

import upbond
from conftest import Emulator, sign_in


class DictKeyring(keyring.backend.KeyringBackend):
    """An in-process keyring backend (the test machine has no desktop keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: Dict[Tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> Optional[str]:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.secrets[(service, username)]


class ListStore(upbond.TokenStore):
    """An app store keeping every saved version."""

    def __init__(self) -> None:
        self.versions: List[bytes] = []
        self.deleted = False

    def load(self) -> Optional[bytes]:
        return self.versions[-1] if self.versions and not self.deleted else None

    def save(self, record: bytes) -> None:
        self.versions.append(record)
        self.deleted = False

    def delete(self) -> None:
        self.deleted = True


class BrokenStore(upbond.TokenStore):
    def load(self) -> Optional[bytes]:
        raise RuntimeError("disk on fire")

    def save(self, record: bytes) -> None:
        raise OSError("read-only")

    def delete(self) -> None:
        raise OSError("read-only")


def test_memory_session_and_events(app: upbond.Client, emulator: Emulator) -> None:
    session = app.session()
    events: List[str] = []
    session.on_event(events.append)
    assert session.record() is None
    tokens = sign_in(emulator, app)
    session.sign_in(tokens)
    assert session.access_token() == tokens.access_token
    record = session.record()
    assert record is not None and record.refresh_token == tokens.refresh_token
    assert tokens.access_token not in repr(record)
    done = session.sign_out()
    assert done.removed and done.revoked and done.revocation_error is None
    assert session.record() is None
    assert events == ["signed_in", "signed_out"]
    with pytest.raises(upbond.InvalidGrantError):  # revoked at the issuer
        app.refresh(tokens.refresh_token)  # type: ignore[arg-type]
    with pytest.raises(upbond.NotSignedInError) as caught:
        session.access_token()
    assert caught.value.reauthentication_required


def test_file_store_survives_a_restart(app: upbond.Client, emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "session.json"
    tokens = sign_in(emulator, app)
    app.session(upbond.FileStore(str(path))).sign_in(tokens)
    assert path.exists() and (os.stat(path).st_mode & 0o077) == 0
    later = upbond.Client(emulator.issuer, "demo-app").session(upbond.FileStore(str(path)))
    assert later.access_token() == tokens.access_token


def test_encrypted_file_store(app: upbond.Client, emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "session.bin"
    key = bytes(range(32))
    tokens = sign_in(emulator, app)
    app.session(upbond.FileStore(str(path), key=key)).sign_in(tokens)
    assert tokens.access_token.encode() not in path.read_bytes()
    assert app.session(upbond.FileStore(str(path), key=key)).access_token() == tokens.access_token
    with pytest.raises(upbond.StorageError):
        app.session(upbond.FileStore(str(path), key=bytes(32))).access_token()
    for wrong in (b"short", bytes(33)):
        with pytest.raises(ValueError, match=f"key must be 32 bytes .AES-256., not {len(wrong)}"):
            upbond.FileStore(str(path), key=wrong)


def test_keyring_store_without_the_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # as if not installed
    with pytest.raises(ModuleNotFoundError, match=r'pip install "upbond\[keyring\]"'):
        upbond.KeyringStore("upbond-test", "demo")


def test_keyring_store(app: upbond.Client, emulator: Emulator) -> None:
    backend = DictKeyring()
    keyring.set_keyring(backend)
    tokens = sign_in(emulator, app)
    store = upbond.KeyringStore(service="upbond-test", username="demo")
    app.session(store).sign_in(tokens)
    assert ("upbond-test", "demo") in backend.secrets
    assert app.session(upbond.KeyringStore("upbond-test", "demo")).access_token() == tokens.access_token
    app.session(store).sign_out()
    assert backend.secrets == {}


def test_custom_store_sees_the_refresh(app: upbond.Client, emulator: Emulator) -> None:
    store = ListStore()
    session = app.session(store)
    emulator.settings(access_token_ttl_secs=30)
    session.sign_in(sign_in(emulator, app))
    emulator.settings(access_token_ttl_secs=3600)
    fresh = session.access_token(min_ttl=60)  # 30 s left: refreshes
    # Before the refresh the stored record is written again, unchanged (a write probe).
    assert len(store.versions) == 3 and store.versions[1] == store.versions[0]
    assert fresh.encode() in store.versions[-1]
    forced = session.refresh()
    assert forced != fresh and len(store.versions) == 5
    assert forced.encode() in store.versions[-1]


class ReadOnlyLater(ListStore):
    """A store whose saves fail (a full disk, a read-only mount) once ``allowed`` more have
    succeeded; ``None``: every save succeeds."""

    def __init__(self) -> None:
        super().__init__()
        self.allowed: Optional[int] = None

    def save(self, record: bytes) -> None:
        if self.allowed is not None:
            if self.allowed == 0:
                raise OSError("read-only file system")
            self.allowed -= 1
        super().save(record)


def token_requests(emulator: Emulator) -> int:
    return emulator.stats()["requests"].get("/oauth/token", 0)


def test_a_store_that_cannot_take_a_write_fails_before_the_refresh(
    app: upbond.Client, emulator: Emulator
) -> None:
    store = ReadOnlyLater()
    session = app.session(store)
    events: List[str] = []
    session.on_event(events.append)
    tokens = sign_in(emulator, app)
    session.sign_in(tokens)
    before = token_requests(emulator)
    store.allowed = 0
    for attempt in (session.refresh, lambda: session.access_token(min_ttl=7200)):
        with pytest.raises(upbond.StorageError, match="read-only file system"):
            attempt()
    assert token_requests(emulator) == before, "the refresh token was not sent"
    assert store.load() == store.versions[0]
    # The unspent refresh token still works once the store does (a replayed, rotated one
    # would be invalid_grant).
    store.allowed = None
    fresh = session.refresh()
    assert fresh != tokens.access_token and fresh.encode() in store.versions[-1]
    assert events == ["signed_in", "refreshed"]


def test_a_refresh_saved_late_is_announced_when_saved(app: upbond.Client, emulator: Emulator) -> None:
    store = ReadOnlyLater()
    session = app.session(store)
    events: List[str] = []
    session.on_event(events.append)
    session.sign_in(sign_in(emulator, app))
    store.allowed = 1  # the write before the refresh succeeds, the save after it fails
    with pytest.raises(upbond.StorageError):
        session.refresh()
    assert events == ["signed_in"]
    store.allowed = None
    token = session.access_token()
    assert token.encode() in store.versions[-1]
    assert events == ["signed_in", "refreshed"]
    assert emulator.stats()["grants"]["refresh_token"] == 1


def test_extreme_stored_times_neither_crash_nor_refresh(app: upbond.Client, emulator: Emulator) -> None:
    store = ListStore()
    tokens = sign_in(emulator, app)
    app.session(store).sign_in(tokens)
    record = json.loads(store.versions[-1])
    # A far-future expiry is never read as expired; an expiry at 0 with the server's clock
    # (clamped) a century ahead is.
    for offset, expires_at in [(-(2**63), 2**63 - 1), (2**63 - 1, 2**64 - 1), (2**63 - 1, 0)]:
        record.update(clock_offset=offset, expires_at=expires_at)
        store.save(json.dumps(record).encode())
        session = upbond.Client(emulator.issuer, "demo-app").session(store)
        stored = session.record()
        assert stored is not None and abs(stored.clock_offset) < 2**40
        token = session.access_token()
        assert (token == tokens.access_token) == (expires_at > 0), (offset, expires_at)


def test_failing_store_raises_storage_error(app: upbond.Client, emulator: Emulator) -> None:
    session = app.session(BrokenStore())
    with pytest.raises(upbond.StorageError) as caught:
        session.access_token()
    assert caught.value.message == (
        "storage failure: the token store's load failed: "
        "the app's callback raised RuntimeError('disk on fire')")
    with pytest.raises(upbond.StorageError) as caught:
        session.sign_in(sign_in(emulator, app))
    assert "the token store's save failed" in caught.value.message
    assert "OSError('read-only')" in caught.value.message


class InterruptedStore(ListStore):
    """A store whose ``load`` raises ``raised`` once."""

    def __init__(self, raised: BaseException) -> None:
        super().__init__()
        self.raised: Optional[BaseException] = raised

    def load(self) -> Optional[bytes]:
        raised, self.raised = self.raised, None
        if raised is not None:
            raise raised
        return super().load()


@pytest.mark.parametrize("raised", [KeyboardInterrupt(), SystemExit(3)])
def test_keyboard_interrupt_and_system_exit_in_a_store_reach_the_caller(
    app: upbond.Client, emulator: Emulator, raised: BaseException
) -> None:
    store = InterruptedStore(raised)
    session = app.session(store)
    with pytest.raises(type(raised)) as caught:
        session.access_token()
    assert caught.value is raised
    assert session.record() is None  # the session still works afterwards
    store.raised = raised
    with pytest.raises(type(raised)):
        asyncio.run(session.aio.access_token())


class BytesPath:
    def __fspath__(self) -> bytes:
        return b"/tmp/s.json"


def test_file_store_refuses_what_is_not_a_path(tmp_path: Path) -> None:
    for bad in (None, 42, b"x", BytesPath()):
        with pytest.raises(TypeError, match="^path must be a str or os.PathLike of str, not "):
            upbond.FileStore(bad)  # type: ignore[arg-type]
    for text in ("", "a\0b", "/tmp/\udcff"):  # a lone surrogate: a non-UTF-8 name
        for path in (text, Path(text)) if text else (text,):
            with pytest.raises(ValueError, match="^path must "):
                upbond.FileStore(path)
    with pytest.raises(TypeError, match="key must be"):
        upbond.FileStore(tmp_path / "s.json", key="not bytes")  # type: ignore[arg-type]
    assert upbond.FileStore(tmp_path / "s.json").path == str(tmp_path / "s.json")
    assert upbond.FileStore(str(tmp_path / "é.json")).path.endswith("é.json")
    assert not (Path.cwd() / "None").exists()


class ReturnsStore(ListStore):
    """A store whose ``load`` returns ``returned``, whatever it is."""

    def __init__(self, returned: object) -> None:
        super().__init__()
        self.returned = returned

    def load(self) -> Optional[bytes]:
        return self.returned  # type: ignore[return-value]


@pytest.mark.parametrize("returned", [5, 2**63, "record", [1, 2], True])
def test_a_store_load_of_the_wrong_type_is_a_storage_error(returned: object) -> None:
    session = upbond.Client("http://127.0.0.1:9", "demo-app").session(ReturnsStore(returned))
    with pytest.raises(upbond.StorageError) as caught:
        session.access_token()
    assert caught.value.message == (
        "storage failure: the token store's load failed: the app's callback raised TypeError("
        f"'load() must return bytes, bytearray, memoryview or None, not {type(returned).__name__}')"
    )


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_a_store_load_may_return_bytes_like_objects(
    app: upbond.Client, emulator: Emulator, kind: type
) -> None:
    store = ListStore()
    tokens = sign_in(emulator, app)
    app.session(store).sign_in(tokens)
    stored = ReturnsStore(kind(store.versions[-1]))
    assert app.session(stored).access_token() == tokens.access_token


class BadRepr(Exception):
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class BadReprStore(ListStore):
    def load(self) -> Optional[bytes]:
        raise BadRepr("secret")


def test_a_store_exception_without_a_repr_is_named_by_its_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unraisable: List[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    session = upbond.Client("http://127.0.0.1:9", "demo-app").session(BadReprStore())
    with pytest.raises(upbond.StorageError) as caught:
        session.access_token()
    assert caught.value.message == (
        "storage failure: the token store's load failed: the app's callback raised BadRepr"
    )
    assert unraisable == []


def test_failing_listener_does_not_break_the_session(app: upbond.Client, emulator: Emulator) -> None:
    session = app.session()
    calls = []

    def listener(event: str) -> None:
        calls.append((event, threading.current_thread().name))
        raise ValueError("listener bug")

    session.on_event(listener)
    session.sign_in(sign_in(emulator, app))
    assert calls and calls[0][0] == "signed_in"
    assert session.record() is not None
