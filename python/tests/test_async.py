"""The asyncio twin: flows, sessions, and cancellation of device polling."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

import upbond
from conftest import Emulator


def device_polls(emulator: Emulator) -> int:
    return emulator.stats()["grants"].get("urn:ietf:params:oauth:grant-type:device_code", 0)


async def test_async_client_credentials_and_gather(emulator: Emulator) -> None:
    client = upbond.AsyncClient(emulator.issuer, "demo-service", client_secret="demo-service-secret")
    results = await asyncio.gather(*(client.client_credentials(["api:read"]) for _ in range(8)))
    assert len({t.access_token for t in results}) == 8
    with pytest.raises(upbond.InvalidScopeError):
        await client.client_credentials(["nope"])


async def test_async_authorization_code_and_session(emulator: Emulator) -> None:
    client = upbond.AsyncClient(emulator.issuer, "demo-app", redirect_uri="http://127.0.0.1/callback")
    request = await client.begin_authorization()
    callback = await asyncio.to_thread(emulator.authorize, request.url)
    tokens = await client.complete_authorization(request.pending, callback)
    session = client.session()
    await session.sign_in(tokens)
    assert await session.access_token() == tokens.access_token
    info = await client.userinfo(await session.access_token())
    assert info.email == "demo-user@example.com"
    await session.sign_out()
    assert await session.record() is None


async def test_cancelling_the_task_stops_device_polling(emulator: Emulator) -> None:
    client = upbond.AsyncClient(emulator.issuer, "demo-app")
    device = await client.start_device_authorization()
    task = asyncio.ensure_future(client.poll_device_authorization(device))
    await asyncio.sleep(1.5)
    assert device_polls(emulator) >= 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    after = device_polls(emulator)
    await asyncio.sleep(2.5)
    assert device_polls(emulator) == after  # the Rust future is gone: no more polls


def test_cancel_token_stops_blocking_polling(emulator: Emulator) -> None:
    client = upbond.Client(emulator.issuer, "demo-app")
    device = client.start_device_authorization()
    cancel = upbond.CancelToken()
    timer = threading.Timer(1.2, cancel.cancel)
    timer.start()
    started = time.monotonic()
    with pytest.raises(upbond.CancelledError):
        client.poll_device_authorization(device, cancel=cancel)
    assert time.monotonic() - started < 10
    assert cancel.is_cancelled()
    after = device_polls(emulator)
    time.sleep(2.2)
    assert device_polls(emulator) == after


async def test_sync_client_aio_twin_shares_the_client(emulator: Emulator) -> None:
    client = upbond.Client(emulator.issuer, "demo-service", client_secret="demo-service-secret")
    await client.aio.client_credentials()
    client.client_credentials()
    assert client.metrics().sign_ins == 2
