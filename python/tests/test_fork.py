"""A forked child (multiprocessing's "fork" start method, gunicorn --preload) uses a client
created in the parent: its own runtime, connection pool and event loops, no hang, and the
parent keeps working."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
import traceback
from pathlib import Path
from typing import Callable, Optional

import pytest

import upbond
from conftest import Emulator, sign_in

CHILD_TIMEOUT = 30.0

pytestmark = pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")


def in_child(body: Callable[[], None]) -> int:
    """Runs ``body`` in a forked child; its exit code (0: no exception). Fails the test
    when the child does not finish in time."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            body()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    deadline = time.monotonic() + CHILD_TIMEOUT
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"the forked child hung for {CHILD_TIMEOUT} s")
        time.sleep(0.02)


async def in_async_code(service: upbond.Client) -> None:
    """Blocking calls from a running event loop (the background loop) and async calls."""
    service.client_credentials(["api:read"])
    await service.aio.client_credentials(["api:read"])


def test_a_forked_child_uses_the_parents_client(
    service: upbond.Client, app: upbond.Client, emulator: Emulator
) -> None:
    # The parent has a runtime, pooled connections, its thread loop and the background loop.
    service.client_credentials(["api:read"])
    asyncio.run(in_async_code(service))
    session = app.session()
    session.sign_in(sign_in(emulator, app))
    token = session.access_token()

    def child() -> None:
        assert service.client_credentials(["api:read"]).access_token
        asyncio.run(in_async_code(service))
        assert session.access_token() == token
        # A sign-in and a refresh of the child's own (the parent's refresh token stays unused).
        own = app.session()
        own.sign_in(sign_in(emulator, app))
        first = own.access_token()
        assert own.refresh() != first

    assert in_child(child) == 0
    assert in_child(child) == 0, "a second child too"
    # The parent is untouched: its loops and pool still work.
    service.client_credentials(["api:read"])
    asyncio.run(in_async_code(service))
    assert session.access_token() == token


_pool_client: Optional[upbond.Client] = None


def _token_in_worker(_: int) -> int:
    assert _pool_client is not None
    _pool_client.client_credentials(["api:read"])
    return os.getpid()


def test_a_multiprocessing_fork_pool_works(service: upbond.Client) -> None:
    global _pool_client
    _pool_client = service
    service.client_credentials(["api:read"])
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pids = pool.map_async(_token_in_worker, range(6)).get(timeout=CHILD_TIMEOUT)
    assert os.getpid() not in pids
    service.client_credentials(["api:read"])


def test_a_memory_session_cannot_refresh_in_a_forked_child(
    app: upbond.Client, emulator: Emulator, tmp_path: Path
) -> None:
    session = app.session()
    session.sign_in(sign_in(emulator, app))
    token = session.access_token()

    def child() -> None:
        assert session.access_token() == token  # the copied token still serves
        for call in (session.refresh, session.sign_out):
            with pytest.raises(upbond.StorageError, match="fork"):
                call()

    assert in_child(child) == 0
    # The parent's refresh token was not spent (a replay would be invalid_grant).
    assert session.refresh() != token

    # A file store is shared: the parent follows the child's rotation.
    shared = app.session(upbond.FileStore(tmp_path / "session.json"))
    shared.sign_in(sign_in(emulator, app))

    def child_refresh() -> None:
        shared.refresh()

    assert in_child(child_refresh) == 0
    shared.refresh()
    assert emulator.stats()["grants"]["refresh_token"] == 3
